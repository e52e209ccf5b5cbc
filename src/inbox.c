#include "inbox.h"

#include "documents.h"
#include "intake.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "timeutil.h"

/* UID SEARCH answers are cut by libcurl when long: ask for windows of this many UIDs. */
#define SEARCH_WINDOW 500

struct poll {
	struct imap *im;
	struct store *st;
	struct spool *sp;
	const struct config *cfg;
	uint32_t uidvalidity;
	bool processed_ready; /* the processed mailbox is known to exist */
	struct inbox_stats *stats;
};

static int move_filed(struct poll *p, uint32_t uid, int64_t ledger_id, struct err *err)
{
	const char *dest = p->cfg->imap.processed_mailbox;

	if (!p->processed_ready) {
		if (imap_ensure_mailbox(p->im, dest, err) < 0)
			return -1;
		p->processed_ready = true;
	}
	if (imap_move(p->im, uid, dest, err) < 0 || store_ledger_set_moved(p->st, ledger_id, err) < 0)
		return -1;
	p->stats->moved++;
	return 0;
}

/* Messages filed before a crash or an outage, but still in the inbox. */
static int move_leftovers(struct poll *p, struct err *err)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int ret = store_ledger_unmoved(p->st, p->uidvalidity, uids, ids, err);

	for (guint i = 0; ret == 0 && i < uids->len; i++)
		ret = move_filed(p, g_array_index(uids, uint32_t, i), g_array_index(ids, int64_t, i),
				 err);
	g_array_free(uids, TRUE);
	g_array_free(ids, TRUE);
	return ret;
}

/* Records in one transaction what intake makes of the message, and that we got past its UID. */
static int file_message(struct poll *p, const struct intake_source *src, int64_t *ledger_id_r,
			struct err *err)
{
	struct intake_result res = { 0 };
	gint64 now = time_now();
	bool moved;

	if (store_begin(p->st, err) < 0)
		return -1;
	if (intake_file(p->st, p->cfg, src, now, &res, err) < 0 ||
	    store_mailbox_set(p->st, imap_mailbox(p->im), p->uidvalidity, src->uid, err) < 0 ||
	    store_commit(p->st, err) < 0) {
		store_rollback(p->st);
		intake_result_clear(&res);
		return -1;
	}
	log_info("intake uid=%u outcome=%s ref=%s state=%s reply=%s", src->uid, res.outcome,
		 res.ref ? res.ref : "-", res.state ? res.state : "-", res.reply ? res.reply : "-");
	intake_result_clear(&res);
	p->stats->filed++;
	return store_ledger_find_uid(p->st, src->uidvalidity, src->uid, ledger_id_r, &moved, err) ==
			       1
		       ? 0
		       : err_set(err, ERR_FATAL, "intake uid=%u: ledger row missing after commit",
				 src->uid);
}

/* Parses the spooled message; a message GMime cannot use is still filed, as quarantined. */
static int read_and_file(struct poll *p, uint32_t uid, const char *path, bool too_large,
			 int64_t *ledger_id_r, struct err *err)
{
	struct intake_source src = { .uidvalidity = p->uidvalidity, .uid = uid, .spool_path = path,
				     .too_large = too_large };
	struct mail *mail = NULL;
	struct doc_facts *facts = NULL;
	struct err read_err = { 0 };
	char sha256[65], *attach_dir = NULL;
	int ret = -1;

	if (spool_file_sha256(path, sha256, err) < 0 ||
	    spool_attachment_dir(p->sp, p->uidvalidity, uid, &attach_dir, err) < 0)
		goto out;
	src.sha256 = sha256;
	if (mail_read(&mail, path, attach_dir, &read_err) < 0) {
		if (read_err.class != ERR_MESSAGE) {
			*err = read_err;
			goto out;
		}
		log_warn("intake uid=%u quarantined: %s", uid, read_err.text);
		src.unreadable = read_err.text;
	}
	src.mail = mail;
	/* The worker runs before the transaction: no lock is held while documents are read. */
	if (mail != NULL && !too_large && documents_inspect_all(mail, &facts, err) < 0)
		goto out;
	src.facts = facts;
	ret = file_message(p, &src, ledger_id_r, err);
out:
	g_free(facts);
	mail_free(&mail);
	g_free(attach_dir);
	return ret;
}

/* A message over limits.max_message_bytes is not downloaded: only its header is spooled, to
 * know whom to tell. */
static int process_uid(struct poll *p, uint32_t uid, bool too_large, struct err *err)
{
	int64_t ledger_id;
	bool moved = false;
	char *tmp = NULL, *path = NULL;
	int fd = -1, found, fetched, ret = -1;

	found = store_ledger_find_uid(p->st, p->uidvalidity, uid, &ledger_id, &moved, err);
	if (found != 0)
		return found < 0 ? -1 : moved ? 0 : move_filed(p, uid, ledger_id, err);
	/* Order matters: the message is on disk and fsync'd before anything else happens. */
	if (spool_begin(p->sp, &fd, &tmp, err) < 0)
		return -1;
	fetched = imap_fetch(p->im, p->uidvalidity, uid, too_large, fd, err);
	if (fetched != 0) {
		spool_abort(fd, tmp);
		g_free(tmp);
		/* Gone since the search: nothing to file, but do not ask for it again. */
		return fetched < 0 ? -1
				   : store_mailbox_set(p->st, imap_mailbox(p->im), p->uidvalidity,
						       uid, err);
	}
	if (spool_commit(p->sp, fd, tmp, p->uidvalidity, uid, &path, err) < 0)
		goto out;
	/* Order matters: commit the row before moving the message on the server. */
	if (read_and_file(p, uid, path, too_large, &ledger_id, err) < 0)
		goto out;
	ret = move_filed(p, uid, ledger_id, err);
out:
	g_free(tmp);
	g_free(path);
	return ret;
}

static bool contains(GArray *uids, uint32_t uid)
{
	for (guint i = 0; i < uids->len; i++)
		if (g_array_index(uids, uint32_t, i) == uid)
			return true;
	return false;
}

static int sync_uidvalidity(struct poll *p, uint32_t *last_uid_r, struct err *err)
{
	uint32_t known_validity;

	if (store_mailbox_get(p->st, imap_mailbox(p->im), &known_validity, last_uid_r, err) < 0)
		return -1;
	if (known_validity == p->uidvalidity)
		return 0;
	if (known_validity != 0)
		/* Every message gets a new UID; intake recognises what it already filed by
		 * Message-ID and content hash, so nothing is filed twice. */
		log_warn("inbox mailbox=%s uidvalidity changed from %u to %u: rescanning",
			 imap_mailbox(p->im), known_validity, p->uidvalidity);
	*last_uid_r = 0;
	return store_mailbox_set(p->st, imap_mailbox(p->im), p->uidvalidity, 0, err);
}

int inbox_poll(struct imap *im, struct store *st, struct spool *sp, const struct config *cfg,
	       struct inbox_stats *stats_r, struct err *err)
{
	struct poll p = { .im = im, .st = st, .sp = sp, .cfg = cfg, .stats = stats_r };
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *large = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	uint64_t limit = (uint64_t)cfg->limits.max_message_bytes;
	uint32_t uidnext, last_uid;
	int ret = -1;

	*stats_r = (struct inbox_stats){ 0 };
	if (imap_status(im, &p.uidvalidity, &uidnext, err) < 0 ||
	    sync_uidvalidity(&p, &last_uid, err) < 0 || move_leftovers(&p, err) < 0)
		goto out;
	for (uint64_t first = (uint64_t)last_uid + 1; first < uidnext; first += SEARCH_WINDOW) {
		uint32_t last = (uint32_t)MIN(first + SEARCH_WINDOW - 1, (uint64_t)uidnext - 1);

		g_array_set_size(uids, 0);
		g_array_set_size(large, 0);
		if (imap_search(im, (uint32_t)first, last, 0, uids, err) < 0 ||
		    imap_search(im, (uint32_t)first, last, limit, large, err) < 0)
			goto out;
		for (guint i = 0; i < uids->len; i++) {
			uint32_t uid = g_array_index(uids, uint32_t, i);

			/* SIGTERM: finish the message in hand, leave the rest for next time. */
			if (notify_stop_requested()) {
				ret = 0;
				goto out;
			}
			notify_alive();
			if (process_uid(&p, uid, contains(large, uid), err) < 0)
				goto out;
		}
		/* The whole window is seen: UIDs in it that the search did not return are gone
		 * for good, and new mail only ever gets higher UIDs. */
		if (store_mailbox_set(st, imap_mailbox(im), p.uidvalidity, last, err) < 0)
			goto out;
	}
	ret = 0;
out:
	g_array_free(uids, TRUE);
	g_array_free(large, TRUE);
	return ret;
}
