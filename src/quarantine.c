#include "quarantine.h"

#include "documents.h"
#include "intake.h"
#include "log.h"
#include "mail.h"
#include "tnef.h"

static int refile(struct store *st, const struct config *cfg, const struct quarantine_row *q,
		  const struct mail *m, const struct doc_facts *facts, gint64 now,
		  struct ledger_result *res, struct err *err)
{
	struct ledger_source src = { .uidvalidity = q->uidvalidity,
				     .uid = q->uid,
				     .spool_path = q->spool_path,
				     .sha256 = q->sha256,
				     .mail = m,
				     .facts = facts };

	if (store_begin(st, err) < 0)
		return -1;
	int64_t new_row = 0;

	if (store_ledger_delete(st, q->id, err) < 0 ||
	    intake_file(st, cfg, &src, now, res, err) < 0 ||
	    store_ledger_find_uid(st, q->uidvalidity, q->uid, &new_row, NULL, err) != 1 ||
	    store_release_record(st, q->id, new_row, now, err) < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* Gone from the ledger: released before (say what became of it), or never there. */
static int not_found(struct store *st, int64_t id, struct err *err)
{
	int64_t new_row = 0;
	char *when = NULL;
	int released = store_release_find(st, id, &new_row, &when, err);

	if (released < 0)
		return -1;
	if (released == 1)
		err_set(err, ERR_CONFIG,
			"message %" G_GINT64_FORMAT " is not quarantined: it was released on %s "
			"and filed again as message %" G_GINT64_FORMAT,
			id, when, new_row);
	else
		err_set(err, ERR_CONFIG,
			"no message %" G_GINT64_FORMAT " (admitctl quarantine list)", id);
	g_free(when);
	return -1;
}

static int load(struct store *st, int64_t id, struct quarantine_row **q_r, struct err *err)
{
	int found = store_ledger_row(st, id, q_r, err);

	if (found < 0)
		return -1;
	if (found == 0)
		return not_found(st, id, err);
	if (g_strcmp0((*q_r)->outcome, "quarantined") != 0)
		return err_set(err, ERR_CONFIG,
			       "message %" G_GINT64_FORMAT
			       " is not quarantined (it was filed as %s)",
			       id, (*q_r)->outcome);
	return 0;
}

int quarantine_release(struct store *st, struct spool *sp, const struct config *cfg, int64_t id,
		       gint64 now, struct ledger_result *res, struct err *err)
{
	struct quarantine_row *q = NULL;
	struct mail *m = NULL;
	struct doc_facts *facts = NULL;
	struct err read_err = { 0 };
	char *parts = NULL;
	int ret = -1;

	if (load(st, id, &q, err) < 0)
		goto out;
	parts = spool_parts_path(sp, q->uidvalidity, q->uid);
	if (mail_read(&m, q->spool_path, parts, &read_err) < 0) {
		err_set(err, read_err.class == ERR_MESSAGE ? ERR_CONFIG : read_err.class,
			"message %" G_GINT64_FORMAT " still cannot be filed: %s", id,
			read_err.text);
		goto out;
	}
	if (tnef_expand(m, err) < 0 || documents_inspect_all(m, &facts, err) < 0 ||
	    refile(st, cfg, q, m, facts, now, res, err) < 0)
		goto out;
	log_info("quarantine released id=%" G_GINT64_FORMAT " outcome=%s ref=%s", id, res->outcome,
		 res->ref ? res->ref : "-");
	ret = 0;
out:
	g_free(facts);
	mail_free(&m);
	g_free(parts);
	if (q != NULL)
		quarantine_row_free(q);
	return ret;
}
