#include "confirm.h"

#include "letter.h"
#include "log.h"

int confirm_in_thread(struct store *st, const struct mail *m, const char *address, struct err *err)
{
	GPtrArray *ids = mail_thread_ids(m);
	int found = 0;

	for (guint i = 0; i < ids->len && found == 0; i++)
		found = store_outbox_sent_to(st, g_ptr_array_index(ids, i), address, err);
	g_ptr_array_free(ids, TRUE);
	return found;
}

int confirm_apply(struct store *st, const struct mail *m, int64_t app_id, int64_t applicant_id,
		  gint64 now, struct err *err)
{
	GPtrArray *ids = mail_thread_ids(m);
	struct pending_change p = { 0 };
	int found = 0;

	for (guint i = 0; i < ids->len && found == 0; i++)
		found = store_pending_find(st, app_id, g_ptr_array_index(ids, i), m->from_addr, &p,
					   err);
	g_ptr_array_free(ids, TRUE);
	if (found == 1 &&
	    (store_pending_apply(st, &p, err) < 0 ||
	     (p.name != NULL && p.name[0] != '\0' &&
	      store_applicant_rename(st, applicant_id, p.name, err) < 0) ||
	     store_event_add(st, app_id, "change-confirmed", m->message_id, now, err) < 0))
		found = -1;
	g_free(p.name);
	return found;
}

int confirm_ask(struct store *st, const struct config *cfg, const struct mail *m, int64_t app_id,
		const char *ref, const char *edition, int64_t ledger_id, gint64 now,
		struct err *err)
{
	GHashTable *vars = letter_vars_new(cfg, m->from_name, m->from_addr, ref, edition);
	struct compose_in in = {
		.template_name = "confirm-change",
		.vars = vars,
		.to_addr = m->from_addr,
		.to_name = m->from_name,
		.in_reply_to = m->message_id,
		.references = m->references,
		.auto_submitted = "auto-replied",
	};
	char *mid = NULL;
	bool held = false;
	int ret = letter_queue_reply(st, cfg, app_id, &in, now, &held, &mid, err);

	if (ret == 0) {
		struct pending_change p = { .application_id = app_id,
					    .message_row = ledger_id,
					    .address = m->from_addr,
					    .name = m->from_name,
					    .confirm_message_id = mid };

		ret = store_pending_insert(st, &p, now, err);
	}
	if (ret == 0)
		ret = store_event_add(st, app_id, "change-held", m->message_id, now, err);
	if (ret == 0)
		log_info("intake change held ref=%s: not in our thread, confirmation asked", ref);
	g_free(mid);
	g_hash_table_destroy(vars);
	return ret;
}
