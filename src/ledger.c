#include "ledger.h"

int ledger_record(struct store *st, const struct ledger_source *src, const char *outcome,
		  const char *detail, int64_t app_id, gint64 now, int64_t *id_r, struct err *err)
{
	const struct mail *m = src->mail;
	struct ledger_entry e = {
		.uidvalidity = src->uidvalidity,
		.uid = src->uid,
		.message_id = m ? m->message_id : NULL,
		.sha256 = src->sha256,
		.spool_path = src->spool_path,
		.sender = m ? m->from_addr : NULL,
		.raw_from = m ? m->from_raw : NULL,
		.subject = m ? m->subject : NULL,
		.outcome = outcome,
		.detail = detail,
		.application_id = app_id,
		.received_at = m && m->received_at ? m->received_at : now,
	};
	int64_t id;

	return store_ledger_insert(st, &e, id_r ? id_r : &id, err);
}

void ledger_result_clear(struct ledger_result *res)
{
	g_free(res->ref);
	*res = (struct ledger_result){ 0 };
}
