#include "outbox.h"

#include <stdio.h>
#include <string.h>

#include "letter.h"
#include "log.h"
#include "notify.h"
#include "template.h"
#include "testhook.h"
#include "mail.h"

#define BACKOFF_FIRST 60
#define BACKOFF_MAX   (6 * 3600)

gint64 outbox_backoff(int attempts)
{
	gint64 delay = BACKOFF_FIRST;

	for (int i = 1; i < attempts && delay < BACKOFF_MAX; i++)
		delay *= 2;
	return MIN(delay, BACKOFF_MAX);
}

/* "id=7 ref=AI4G-2026-0042", so that journalctl ADMITD_REF=… shows an application's letters
 * as well. The log names applications, never applicants (the journal cannot be erased): a
 * recipient's address appears only when it is the commission's, a member's or the office's. */
static void row_label(const struct config *cfg, const struct outbox_row *row, char *buf, size_t len)
{
	bool staff = config_is_staff(cfg, row->to_addr);

	snprintf(buf, len, "id=%" G_GINT64_FORMAT "%s%s%s%s", row->id, row->ref ? " ref=" : "",
		 row->ref ? row->ref : "", staff ? " to=" : "", staff ? row->to_addr : "");
}

/* Sends one row's message. Returns 1 when the caller should stop (temporary failure), 0
 * otherwise. */
static int send_message(struct store *st, struct smtp *sm, const char *from,
			const struct outbox_row *row, GBytes *message, const char *label,
			gint64 now, struct outbox_stats *stats, struct err *err)
{
	int attempts = row->attempts + 1;
	gsize len;
	const void *data = g_bytes_get_data(message, &len);
	struct err send_err = { 0 };

	if (strcmp(row->state, "sending") == 0)
		/* A crash came between our 'sending' and 'sent' marks: whether the server got it
		 * cannot be known. A repeat is better than a letter that never arrives. */
		log_warn("outbox resend %s: admitd stopped while sending it; the recipient may get "
			 "it twice",
			 label);
	/* Order matters: record the attempt before talking to the server, so a crash while
	 * sending leaves the row 'sending' (and counted) rather than silently 'queued'. */
	if (store_outbox_mark(st, row->id, "sending", attempts, 0, NULL, now, err) < 0)
		return -1;
	if (smtp_send(sm, from, row->to_addr, data, len, &send_err) == 0) {
		log_info("outbox sent %s template=%s message_id=<%s>", label, row->template_name,
			 row->message_id);
		stats->sent++;
		testhook_pause("after-send", row->message_id);
		return store_outbox_mark(st, row->id, "sent", attempts, 0, NULL, now, err);
	}
	if (send_err.class == ERR_MESSAGE) {
		log_error("outbox failed %s: %s", label, send_err.text);
		stats->failed++;
		return store_outbox_mark(st, row->id, "failed", attempts, 0, send_err.text, now,
					 err);
	}
	log_warn("outbox deferred %s attempts=%d: %s", label, attempts, send_err.text);
	stats->deferred++;
	if (store_outbox_mark(st, row->id, "queued", attempts, now + outbox_backoff(attempts),
			      send_err.text, now, err) < 0)
		return -1;
	return 1;
}

/* Sends one row, its message read from the store just for it: a batch's digest is many parts
 * of up to 10 MB, and only one is in memory at a time. */
static int send_row(struct store *st, struct smtp *sm, const struct config *cfg, const char *from,
		    const struct outbox_row *row, gint64 now, struct outbox_stats *stats,
		    struct err *err)
{
	GBytes *message = NULL;
	char label[96];
	int found, ret;

	row_label(cfg, row, label, sizeof(label));
	found = store_outbox_by_message_id(st, row->message_id, &message, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return err_set(err, ERR_FATAL, "outbox %s: its message is gone", label);
	if (g_bytes_get_size(message) == 0) {
		/* Withdrawn since the queue was read (gdpr_erase): never sent blank. */
		log_info("outbox withdrawn %s", label);
		g_bytes_unref(message);
		return 0;
	}
	ret = send_message(st, sm, from, row, message, label, now, stats, err);
	g_bytes_unref(message);
	return ret;
}

int outbox_flush(struct store *st, struct smtp *sm, const struct config *cfg, gint64 now,
		 struct outbox_stats *stats_r, struct err *err)
{
	GPtrArray *rows = NULL;
	char *from = NULL;
	int ret = 0;

	*stats_r = (struct outbox_stats){ 0 };
	if (mail_address_parse(cfg->programme.reply_from, &from, NULL) < 0)
		return err_set(err, ERR_CONFIG, "programme.reply_from: not an address");
	if (store_outbox_due(st, now, &rows, err) < 0) {
		g_free(from);
		return -1;
	}
	/* The only duplicate a crash can cause is a kill between the server's 250 and our 'sent'
	 * mark. Marks that wait for the kernel, not the disk, shrink that window from a disk
	 * flush to a write(); a power cut then costs at most a repeated letter, never a lost one. */
	if (rows->len > 0 && store_set_durable(st, false, err) < 0)
		ret = -1;
	for (guint i = 0; i < rows->len && ret == 0 && !notify_stop_requested(); i++) {
		notify_alive();
		ret = send_row(st, sm, cfg, from, g_ptr_array_index(rows, i), now, stats_r, err);
	}
	if (rows->len > 0 && store_set_durable(st, true, ret < 0 ? NULL : err) < 0)
		ret = -1;
	g_ptr_array_free(rows, TRUE);
	g_free(from);
	return ret < 0 ? -1 : 0;
}

/* The variables of one snippets/failure-row.txt: a failed letter (struct outbox_row). */
static GHashTable *failure_vars(const void *row, const void *ctx)
{
	const struct outbox_row *r = row;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	(void)ctx;
	g_hash_table_insert(vars, "to", r->to_addr);
	g_hash_table_insert(vars, "template", r->template_name);
	g_hash_table_insert(vars, "ref", r->ref ? r->ref : "-");
	g_hash_table_insert(vars, "error", r->last_error ? r->last_error : "");
	return vars;
}

static int failure_rows(const struct config *cfg, GPtrArray *rows, char **text_r, struct err *err)
{
	return template_snippet_rows(cfg->templates.search, "failure-row", rows, failure_vars, NULL,
				     text_r, err);
}

int outbox_report_failures(struct store *st, const struct config *cfg, gint64 now, struct err *err)
{
	GPtrArray *rows = NULL;
	GHashTable *vars = NULL;
	char *list = NULL;
	int ret = -1;

	if (cfg->programme.office_address == NULL)
		return 0;
	if (store_outbox_untold_failures(st, &rows, err) < 0)
		return -1;
	if (rows->len == 0) {
		g_ptr_array_free(rows, TRUE);
		return 0;
	}
	if (failure_rows(cfg, rows, &list, err) < 0 || store_begin(st, err) < 0)
		goto out;
	vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "count", g_strdup_printf("%u", rows->len));
	g_hash_table_insert(vars, "failures", g_strdup(list));
	struct compose_in in = letter_internal("delivery-failures", vars,
					       cfg->programme.office_address);
	ret = letter_queue(st, cfg, 0, &in, now, NULL, err);
	for (guint i = 0; ret == 0 && i < rows->len; i++)
		ret = store_outbox_set_told(
			st, ((struct outbox_row *)g_ptr_array_index(rows, i))->id, err);
	if (ret == 0)
		ret = store_commit(st, err);
	if (ret < 0)
		store_rollback(st);
	else
		log_warn("outbox failures=%u reported to=%s", rows->len,
			 cfg->programme.office_address);
	if (ret == 0)
		ret = 1;
out:
	if (vars != NULL)
		g_hash_table_destroy(vars);
	g_ptr_array_free(rows, TRUE);
	g_free(list);
	return ret;
}
