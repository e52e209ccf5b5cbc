#include "inbox.h"

#include "documents.h"
#include "fetcher.h"
#include "crashmark.h"
#include "intake.h"
#include "letter.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "testhook.h"
#include "timeutil.h"
#include "tnef.h"

#include <stdio.h>
#include <string.h>

/* UID SEARCH answers are cut by libcurl when long: ask for windows of this many UIDs. */
#define SEARCH_WINDOW 500

/* Messages are filed in groups of up to this many: the fetcher thread spools them, the group is
 * synced once, its documents read by one worker and its filings committed in one transaction (a
 * savepoint each); when the window is done, what was filed is moved (imap_move, fifty UIDs to a
 * command). Every rule of DESIGN holds for each message; the group only shares the waits
 * (fsync, fork, round trips), which cost far more than the work. */
#define GROUP_MAX 50

/* A message that crashed admitd this many times (crashmark.h: a fault, an abort, the watchdog)
 * is quarantined instead of tried again: one mail must not stop all filing in a restart loop. */
#define ATTEMPTS_MAX 3

struct poll {
	struct imap *im;
	struct store *st;
	struct spool *sp;
	const struct config *cfg;
	uint32_t uidvalidity;
	bool processed_ready; /* the processed mailbox is known to exist */
	bool stopped;	      /* SIGTERM came: what is fetched is filed, the rest waits */
	struct inbox_stats *stats;
	GArray *move_uids;    /* filed (committed) and still to move: uint32_t */
	GArray *move_ids;     /* their ledger rows: int64_t */
	GHashTable *attempts; /* UID → crashes while it was processed, as when the poll began */
};

/* One fetched message of a group. */
struct item {
	uint32_t uid;
	bool too_large;
	char *path; /* the spooled raw message */
	char sha256[65];
	struct mail *mail;	 /* NULL when GMime could not use it */
	char *unreadable;	 /* why, then */
	struct doc_facts *facts; /* one per attachment of mail, or NULL */
	int attempts;		 /* times it crashed admitd before */
};

static void item_clear(gpointer data)
{
	struct item *it = data;

	g_free(it->path);
	mail_free(&it->mail);
	g_free(it->unreadable);
	g_free(it->facts);
}

static void to_move(struct poll *p, uint32_t uid, int64_t ledger_id)
{
	g_array_append_val(p->move_uids, uid);
	g_array_append_val(p->move_ids, ledger_id);
}

static int compare_uid(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* After the commit: everything filed is moved, then all its ledger rows are marked in one
 * transaction (a mark lost to a crash only means moving again, which changes nothing). */
static int move_filed(struct poll *p, struct err *err)
{
	const char *dest = p->cfg->imap.processed_mailbox;
	GArray *uids = p->move_uids, *ids = p->move_ids;
	int ret = -1;

	if (uids->len == 0)
		return 0;
	if (!p->processed_ready) {
		if (imap_ensure_mailbox(p->im, dest, err) < 0)
			goto out;
		p->processed_ready = true;
	}
	g_array_sort(uids, compare_uid);
	if (imap_move(p->im, (const uint32_t *)(void *)uids->data, uids->len, dest, err) < 0 ||
	    store_begin(p->st, err) < 0)
		goto out;
	for (guint i = 0; i < ids->len; i++)
		if (store_ledger_set_moved(p->st, g_array_index(ids, int64_t, i), err) < 0) {
			store_rollback(p->st);
			goto out;
		}
	if (store_commit(p->st, err) < 0) {
		store_rollback(p->st);
		goto out;
	}
	p->stats->moved += (int)uids->len;
	ret = 0;
out:
	g_array_set_size(uids, 0);
	g_array_set_size(ids, 0);
	return ret;
}

/* Messages filed before a crash or an outage, but still in the inbox. */
static int move_leftovers(struct poll *p, struct err *err)
{
	if (store_ledger_unmoved(p->st, p->uidvalidity, p->move_uids, p->move_ids, err) < 0)
		return -1;
	return move_filed(p, err);
}

/* Parses a spooled message and saves its attachments; a message GMime cannot use is still
 * filed, as quarantined. */
static int read_one(struct poll *p, struct item *it, struct err *err)
{
	struct err read_err = { 0 };
	char *parts;
	int ret = 0;

	if (it->attempts >= ATTEMPTS_MAX) {
		it->unreadable = g_strdup_printf("admitd stopped %d times while processing it",
						 it->attempts);
		log_warn("intake uid=%u quarantined: %s", it->uid, it->unreadable);
		return 0;
	}
	parts = spool_parts_path(p->sp, p->uidvalidity, it->uid);
	if (mail_read(&it->mail, it->path, parts, &read_err) < 0) {
		if (read_err.class != ERR_MESSAGE) {
			*err = read_err;
			ret = -1;
		} else {
			log_warn("intake uid=%u quarantined: %s", it->uid, read_err.text);
			it->unreadable = g_strdup(read_err.text);
		}
	} else if (tnef_expand(it->mail, err) < 0) {
		ret = -1;
	}
	g_free(parts);
	return ret;
}

/* The office hears of a message set aside because it stopped admitd, in the transaction that
 * quarantines it. */
static int tell_office(struct poll *p, const struct item *it, struct err *err)
{
	GHashTable *vars;
	int ret;

	if (p->cfg->programme.office_address == NULL)
		return 0;
	vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_insert(vars, "programme", g_strdup(p->cfg->programme.name));
	g_hash_table_insert(vars, "uid", g_strdup_printf("%u", it->uid));
	g_hash_table_insert(vars, "attempts", g_strdup_printf("%d", it->attempts));
	g_hash_table_insert(vars, "spool_path", g_strdup(it->path));
	struct compose_in in = letter_internal("quarantined", vars,
					       p->cfg->programme.office_address);
	ret = letter_queue(p->st, p->cfg, 0, &in, time_now(), NULL, err);
	g_hash_table_destroy(vars);
	return ret;
}

/* Within the group's transaction: what intake makes of one message, and that we got past its
 * UID. On error the savepoint is rolled back and the messages before it stay. */
static int file_one(struct poll *p, const struct item *it, struct ledger_result *res,
		    struct err *err)
{
	struct ledger_source src = { .uidvalidity = p->uidvalidity,
				     .uid = it->uid,
				     .spool_path = it->path,
				     .sha256 = it->sha256,
				     .mail = it->mail,
				     .facts = it->facts,
				     .unreadable = it->unreadable,
				     .too_large = it->too_large };

	char uid[16];

	snprintf(uid, sizeof(uid), "%u", it->uid);
	/* Tests stop the daemon here, to make a message that never finishes. */
	testhook_pause("intake", uid);
	if (store_savepoint(p->st, err) < 0)
		return -1;
	if (intake_file(p->st, p->cfg, &src, time_now(), res, err) < 0 ||
	    (it->attempts >= ATTEMPTS_MAX && tell_office(p, it, err) < 0) ||
	    store_attempts_clear(p->st, p->uidvalidity, it->uid, err) < 0 ||
	    store_mailbox_set(p->st, imap_mailbox(p->im), p->uidvalidity, it->uid, err) < 0 ||
	    store_release(p->st, err) < 0) {
		store_rollback_savepoint(p->st);
		return -1;
	}
	return 0;
}

/* After the commit: the log line of each filed message, and each noted for moving. */
static int after_commit(struct poll *p, const struct item *it, const struct ledger_result *res,
			struct err *err)
{
	int64_t ledger_id;
	bool moved;

	log_info("intake uid=%u outcome=%s ref=%s state=%s reply=%s", it->uid, res->outcome,
		 res->ref ? res->ref : "-", res->state ? res->state : "-",
		 res->reply ? res->reply : "-");
	p->stats->filed++;
	if (store_ledger_find_uid(p->st, p->uidvalidity, it->uid, &ledger_id, &moved, err) != 1)
		return err_set(err, ERR_FATAL, "intake uid=%u: ledger row missing after commit",
			       it->uid);
	to_move(p, it->uid, ledger_id);
	return 0;
}

/* Records the group in one transaction. When one message fails, those before it are still
 * committed (and moved); the error is returned. */
static int record_group(struct poll *p, GArray *items, struct err *err)
{
	struct ledger_result *res = g_new0(struct ledger_result, items->len + 1);
	struct err step = { 0 };
	guint done = 0, committed;
	int ret = 0;

	if (store_begin(p->st, err) < 0) {
		g_free(res);
		return -1;
	}
	for (; done < items->len; done++) {
		struct item *it = &g_array_index(items, struct item, done);

		crashmark_set(p->uidvalidity, it->uid);
		ret = file_one(p, it, &res[done], err);
		crashmark_clear();
		if (ret < 0) {
			ledger_result_clear(&res[done]);
			break;
		}
	}
	committed = done;
	if (store_commit(p->st, &step) < 0) {
		store_rollback(p->st);
		committed = 0;
		ret = err_keep(err, &step);
	}
	for (guint i = 0; i < done; i++) {
		if (i < committed &&
		    after_commit(p, &g_array_index(items, struct item, i), &res[i], &step) < 0)
			ret = err_keep(err, &step);
		ledger_result_clear(&res[i]);
	}
	g_free(res);
	return ret;
}

static bool contains(GArray *uids, uint32_t uid)
{
	for (guint i = 0; i < uids->len; i++)
		if (g_array_index(uids, uint32_t, i) == uid)
			return true;
	return false;
}

/* A group of messages, from its parsing to its record: its documents are read by the worker in
 * the meantime, while the daemon takes and parses the next group. */
struct group {
	GArray *items;		   /* struct item */
	const struct mail **mails; /* the items' readable mails, for the worker */
	struct item **owners;	   /* mails[i] is owners[i]->mail */
	size_t n;
	struct documents_job *job;
};

static void group_init(struct group *g)
{
	*g = (struct group){ .items = g_array_new(FALSE, TRUE, sizeof(struct item)) };
	g_array_set_clear_func(g->items, item_clear);
}

static void group_clear(struct group *g)
{
	documents_job_free(&g->job);
	g_array_set_size(g->items, 0);
	g_clear_pointer(&g->mails, g_free);
	g_clear_pointer(&g->owners, g_free);
	g->n = 0;
}

/* Parses the messages (synced before: spool_sync) and starts the worker on their documents. */
static int parse_group(struct poll *p, struct group *g, struct err *err)
{
	g->mails = g_new0(const struct mail *, g->items->len + 1);
	g->owners = g_new0(struct item *, g->items->len + 1);
	for (guint i = 0; i < g->items->len; i++) {
		struct item *it = &g_array_index(g->items, struct item, i);
		int ret;

		notify_alive();
		crashmark_set(p->uidvalidity, it->uid);
		ret = read_one(p, it, err);
		crashmark_clear();
		if (ret < 0)
			return -1;
		if (it->mail != NULL && !it->too_large) {
			g->mails[g->n] = it->mail;
			g->owners[g->n++] = it;
		}
	}
	g->job = documents_inspect_start(g->mails, g->n, err);
	return g->job == NULL ? -1 : 0;
}

/* Takes the worker's facts and records the group (its attachments synced since parse_group).
 * The worker is done before the transaction begins: no lock is held while documents are read. */
static int file_group(struct poll *p, struct group *g, struct err *err)
{
	struct doc_facts **facts = g_new0(struct doc_facts *, g->n + 1);
	int ret = documents_inspect_finish(&g->job, facts, err);

	for (size_t i = 0; ret == 0 && i < g->n; i++)
		g->owners[i]->facts = facts[i];
	g_free(facts);
	return ret < 0 ? -1 : record_group(p, g->items, err);
}

/* The UIDs of a window not filed yet; those filed but not moved are noted for moving. */
static int not_filed(struct poll *p, GArray *uids, GArray *large, GArray *want_r,
		     GArray *want_large_r, struct err *err)
{
	for (guint i = 0; i < uids->len; i++) {
		uint32_t uid = g_array_index(uids, uint32_t, i);
		int64_t ledger_id;
		bool moved = false, too_large = contains(large, uid);
		int found = store_ledger_find_uid(p->st, p->uidvalidity, uid, &ledger_id, &moved,
						  err);

		if (found < 0)
			return -1;
		if (found == 1 && !moved)
			to_move(p, uid, ledger_id);
		if (found == 0) {
			g_array_append_val(want_r, uid);
			g_array_append_val(want_large_r, too_large);
		}
	}
	return 0;
}

/* Each fetch would set \Seen (and Dovecot rename the message's file under a lock, a new lock
 * file each time): set for the whole window at once. Only a saving: on failure the fetches
 * set it as before. */
static void mark_seen(struct poll *p, GArray *uids)
{
	struct err err = { 0 };

	if (imap_mark_seen(p->im, (const uint32_t *)(void *)uids->data, uids->len, &err) < 0)
		log_warn("inbox: could not mark %u messages seen, fetching anyway: %s", uids->len,
			 err.text);
}

/* Takes up to GROUP_MAX fetched messages: 1 when the fetcher has more, 0 when it is done or
 * SIGTERM came (file what is fetched, leave the rest for next time), -1 on its error. */
static int take_group(struct poll *p, struct fetcher *f, GArray *items, struct err *err)
{
	while (items->len < GROUP_MAX) {
		struct fetched m;
		struct item it = { 0 };
		int got;

		if (notify_stop_requested()) {
			p->stopped = true;
			return 0;
		}
		notify_alive();
		got = fetcher_next(f, &m, err);
		if (got <= 0)
			return got;
		it.uid = m.uid;
		it.too_large = m.too_large;
		it.path = m.path;
		memcpy(it.sha256, m.sha256, sizeof(it.sha256));
		it.attempts = GPOINTER_TO_INT(
			g_hash_table_lookup(p->attempts, GUINT_TO_POINTER(it.uid)));
		g_array_append_val(items, it);
	}
	return 1;
}

/* Files the new messages of one search window, group by group, while the fetcher brings the
 * next ones and the worker reads the last group's documents; then moves what was filed. What
 * was fetched is filed even when a later fetch failed, and what was filed is moved even when a
 * later message failed; the first error is returned (err_keep). */
static int process_window(struct poll *p, GArray *uids, GArray *large, struct err *err)
{
	GArray *want = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *want_large = g_array_new(FALSE, FALSE, sizeof(bool));
	struct group cur, prev, swap;
	struct fetcher *f = NULL;
	struct err step = { 0 };
	int ret = not_filed(p, uids, large, want, want_large, err), more = 1;
	bool durable = true;

	group_init(&cur);
	group_init(&prev);
	if (ret == 0 && want->len > 0) {
		mark_seen(p, want);
		f = fetcher_start(p->im, p->sp, p->uidvalidity,
				  (const uint32_t *)(void *)want->data,
				  (const bool *)(void *)want_large->data, want->len);
	}
	while (f != NULL && ret == 0 && more > 0) {
		more = take_group(p, f, cur.items, err);
		if (more < 0)
			ret = -1;
		/* Order matters: one sync makes this group's messages durable before anything else
		 * happens to them, and the last group's attachments before the store names them. */
		if (spool_sync(p->sp, &step) < 0) {
			ret = err_keep(err, &step);
			durable = false;
			break;
		}
		if (cur.items->len > 0 && parse_group(p, &cur, &step) < 0) {
			ret = err_keep(err, &step);
			group_clear(&cur);
		}
		if (prev.items->len > 0 && file_group(p, &prev, &step) < 0)
			ret = err_keep(err, &step);
		group_clear(&prev);
		swap = prev, prev = cur, cur = swap;
	}
	if (durable && prev.items->len > 0 &&
	    (spool_sync(p->sp, &step) < 0 || file_group(p, &prev, &step) < 0))
		ret = err_keep(err, &step);
	group_clear(&cur);
	group_clear(&prev);
	g_array_free(cur.items, TRUE);
	g_array_free(prev.items, TRUE);
	/* The IMAP connection is the fetcher's until it is gone. */
	fetcher_free(&f);
	if (move_filed(p, &step) < 0)
		ret = err_keep(err, &step);
	g_array_free(want, TRUE);
	g_array_free(want_large, TRUE);
	return ret;
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

/* The message an earlier run crashed on (crashmark.h) gets one more attempt counted. */
static int count_crash(struct poll *p, struct err *err)
{
	uint32_t uidvalidity, uid;

	if (!crashmark_take(&uidvalidity, &uid) || uidvalidity != p->uidvalidity)
		return 0;
	log_warn("inbox uid=%u: admitd crashed while processing it", uid);
	if (store_begin(p->st, err) < 0)
		return -1;
	if (store_attempts_add(p->st, uidvalidity, uid, err) < 0 || store_commit(p->st, err) < 0) {
		store_rollback(p->st);
		return -1;
	}
	return 0;
}

int inbox_poll(struct imap *im, struct store *st, struct spool *sp, const struct config *cfg,
	       struct inbox_stats *stats_r, struct err *err)
{
	struct poll p = { .im = im,
			  .st = st,
			  .sp = sp,
			  .cfg = cfg,
			  .stats = stats_r,
			  .move_uids = g_array_new(FALSE, FALSE, sizeof(uint32_t)),
			  .move_ids = g_array_new(FALSE, FALSE, sizeof(int64_t)),
			  .attempts = g_hash_table_new(g_direct_hash, g_direct_equal) };
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *large = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	uint64_t limit = (uint64_t)cfg->limits.max_message_bytes;
	uint32_t uidnext, last_uid;
	int ret = -1;

	*stats_r = (struct inbox_stats){ 0 };
	if (imap_status(im, &p.uidvalidity, &uidnext, err) < 0 ||
	    sync_uidvalidity(&p, &last_uid, err) < 0 || move_leftovers(&p, err) < 0 ||
	    count_crash(&p, err) < 0 || store_attempts_all(st, p.uidvalidity, p.attempts, err) < 0)
		goto out;
	for (uint64_t first = (uint64_t)last_uid + 1; first < uidnext; first += SEARCH_WINDOW) {
		uint32_t last = (uint32_t)MIN(first + SEARCH_WINDOW - 1, (uint64_t)uidnext - 1);

		g_array_set_size(uids, 0);
		g_array_set_size(large, 0);
		if (imap_search(im, (uint32_t)first, last, 0, uids, err) < 0 ||
		    imap_search(im, (uint32_t)first, last, limit, large, err) < 0)
			goto out;
		if (process_window(&p, uids, large, err) < 0)
			goto out;
		if (p.stopped)
			break;
		/* The whole window is seen: UIDs in it that the search did not return are gone
		 * for good, and new mail only ever gets higher UIDs. */
		if (store_mailbox_set(st, imap_mailbox(im), p.uidvalidity, last, err) < 0)
			goto out;
	}
	ret = 0;
out:
	g_array_free(uids, TRUE);
	g_array_free(large, TRUE);
	g_array_free(p.move_uids, TRUE);
	g_array_free(p.move_ids, TRUE);
	g_hash_table_destroy(p.attempts);
	return ret;
}
