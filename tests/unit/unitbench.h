/* unitbench.h — a store and a configuration in a temporary folder, and the steps the unit
 * tests of the application's life share: file a message as intake would, close the batch,
 * read back applications and outbox rows. Small enough to be static inline. */
#ifndef ADMITD_UNITBENCH_H
#define ADMITD_UNITBENCH_H

#include "testutil.h"

#include "batch.h"
#include "config.h"
#include "application.h"
#include "decision.h"
#include "documents.h"
#include "intake.h"
#include "letter.h"
#include "mail.h"
#include "store.h"

/* The moment the benches act at (2026-09-20), unless a test says otherwise. */
#define BENCH_NOW 1790000000

struct bench {
	char *dir;
	struct config *cfg;
	struct store *st;
	uint32_t next_uid;
};

/* The test configuration with `extra` (more groups, or NULL) after it. */
static inline void bench_init_with(struct bench *b, const char *opens, const char *closes,
				   const char *extra)
{
	char *base, *text, *path;
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };

	b->dir = test_tmpdir();
	base = test_config_text(b->dir, opens, closes);
	text = g_strconcat(base, extra ? extra : "", NULL);
	path = test_write_file(b->dir, "admitd.conf", text);
	if (config_load(&b->cfg, path, 0, problems) < 0)
		fail_msg("%s", problems->str);
	if (store_open(&b->st, b->cfg->storage.database, &err) < 0)
		fail_msg("%s", err.text);
	b->next_uid = 1;
	g_string_free(problems, TRUE);
	g_free(base);
	g_free(text);
	g_free(path);
}

static inline void bench_init(struct bench *b, const char *opens, const char *closes)
{
	bench_init_with(b, opens, closes, NULL);
}

static inline void bench_free(struct bench *b)
{
	store_close(&b->st);
	config_free(&b->cfg);
	g_free(b->dir);
}

/* Files one fixture (or a message text) at `now` as intake would after fetching it, from a
 * copy in the bench's folder (the spool copy: erasure and retention delete it). */
static inline struct ledger_result bench_file_at(struct bench *b, const char *fixture,
						 const char *text, gint64 now)
{
	char *name = g_strdup_printf("m-%u.eml", b->next_uid);
	char *source = fixture ? test_fixture(fixture) : NULL, *copy = NULL;
	char *path;

	if (source != NULL)
		assert_true(g_file_get_contents(source, &copy, NULL, NULL));
	path = test_write_file(b->dir, name, copy ? copy : text);
	g_free(source);
	g_free(copy);
	char *att = g_strdup_printf("%s/att-%u.parts", b->dir, b->next_uid);
	struct ledger_source src = { .uidvalidity = 1, .uid = b->next_uid++, .spool_path = path };
	struct ledger_result res = { 0 };
	struct mail *m = NULL;
	struct err err = { 0 }, read_err = { 0 };
	char *sha = test_file_sha256(path);
	struct doc_facts *facts = NULL;

	src.sha256 = sha;
	if (mail_read(&m, path, att, &read_err) < 0)
		src.unreadable = read_err.text;
	else
		assert_int_equal(documents_inspect_all(m, &facts, &err), 0);
	src.mail = m;
	src.facts = facts;
	assert_int_equal(store_begin(b->st, &err), 0);
	if (intake_file(b->st, b->cfg, &src, now, &res, &err) < 0)
		fail_msg("intake %s: %s", fixture ? fixture : "text", err.text);
	assert_int_equal(store_commit(b->st, &err), 0);
	mail_free(&m);
	g_free(facts);
	g_free(att);
	g_free(sha);
	g_free(path);
	g_free(name);
	return res;
}

static inline struct ledger_result bench_file(struct bench *b, const char *fixture,
					      const char *text)
{
	return bench_file_at(b, fixture, text, BENCH_NOW);
}

/* The application `ref`; *keep holds it until the caller frees the array. */
static inline struct app_row *bench_app(struct bench *b, const char *ref, GPtrArray **keep)
{
	struct err err = { 0 };

	assert_int_equal(store_applications(b->st, &(struct app_filter){ .ref = ref }, keep, &err),
			 0);
	assert_int_equal((*keep)->len, 1);
	return g_ptr_array_index(*keep, 0);
}

static inline char *bench_state(struct bench *b, const char *ref)
{
	GPtrArray *keep = NULL;
	char *state = g_strdup(app_state_name(bench_app(b, ref, &keep)->state));

	g_ptr_array_free(keep, TRUE);
	return state;
}

/* Every outbox row, oldest first (g_ptr_array_free). */
static inline GPtrArray *bench_outbox(struct bench *b)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };

	assert_int_equal(store_outbox_list(b->st, NULL, &rows, &err), 0);
	return rows;
}

static inline int bench_outbox_count(struct bench *b, const char *template_name)
{
	GPtrArray *rows = bench_outbox(b);
	int n = 0;

	for (guint i = 0; i < rows->len; i++)
		n += strcmp(((struct outbox_row *)g_ptr_array_index(rows, i))->template_name,
			    template_name) == 0;
	g_ptr_array_free(rows, TRUE);
	return n;
}

/* The newest row of a template, as the bytes that would be sent (g_free), or NULL. */
static inline char *bench_outbox_text(struct bench *b, const char *template_name)
{
	GPtrArray *rows = bench_outbox(b);
	struct err err = { 0 };
	char *text = NULL;

	for (guint i = rows->len; i-- > 0 && text == NULL;) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);
		GBytes *bytes = NULL;
		const char *data;
		gsize len = 0;

		if (strcmp(r->template_name, template_name) != 0)
			continue;
		assert_int_equal(store_outbox_message(b->st, r->id, &bytes, &err), 0);
		data = g_bytes_get_data(bytes, &len);
		text = g_strndup(data, len);
		g_bytes_unref(bytes);
	}
	g_ptr_array_free(rows, TRUE);
	return text;
}

/* The Message-ID (g_free) of the one row of a template, which must go to `to`. */
static inline char *bench_message_id(struct bench *b, const char *template_name, const char *to)
{
	GPtrArray *rows = bench_outbox(b);
	char *id = NULL;

	for (guint i = 0; i < rows->len; i++) {
		const struct outbox_row *r = g_ptr_array_index(rows, i);

		if (strcmp(r->template_name, template_name) == 0) {
			assert_null(id);
			assert_string_equal(r->to_addr, to);
			id = g_strdup(r->message_id);
		}
	}
	g_ptr_array_free(rows, TRUE);
	assert_non_null(id);
	return id;
}

/* An automatic reply from `template` (one that takes only the letter variables) to `to`,
 * queued at `now` within the reply limits as intake queues them; whether it was held. */
static inline bool bench_queue_reply(struct bench *b, const char *template_name, const char *to,
				     gint64 now)
{
	GHashTable *vars = letter_vars_new(b->cfg, "", to, "AI4G-2026-0001", "2026-2027");
	struct compose_in in = { .template_name = template_name,
				 .vars = vars,
				 .to_addr = to,
				 .auto_submitted = "auto-replied" };
	struct err err = { 0 };
	bool held = false;

	assert_int_equal(store_begin(b->st, &err), 0);
	if (letter_queue_reply(b->st, b->cfg, 0, &in, now, &held, NULL, &err) < 0)
		fail_msg("reply %s to %s: %s", template_name, to, err.text);
	assert_int_equal(store_commit(b->st, &err), 0);
	g_hash_table_destroy(vars);
	return held;
}

/* Closes the current batch at `now` (its digest queued); the batch id. */
static inline int64_t bench_close_batch(struct bench *b, gint64 now)
{
	struct err err = { 0 };
	int64_t id = 0;
	int reviewed = 0;

	if (batch_close_current(b->st, b->cfg, now, &id, &reviewed, &err) < 0)
		fail_msg("batch close: %s", err.text);
	return id;
}

/* Applies a decision at `now` in a transaction of its own, as admitctl decide does; *before_r
 * (g_free; may be NULL) gets the state it found. */
static inline enum application_result bench_decide(struct bench *b, const char *ref, enum verdict v,
						   bool force, gint64 now, char **before_r)
{
	struct application_decision in = {
		.ref = ref, .verdict = v, .decided_by = "chair@example.org", .force = force
	};
	enum application_result result;
	enum app_state before;
	struct err err = { 0 };

	assert_int_equal(store_begin(b->st, &err), 0);
	if (application_decide(b->st, b->cfg, &in, now, &result, &before, &err) < 0)
		fail_msg("decide %s: %s", ref, err.text);
	assert_int_equal(store_commit(b->st, &err), 0);
	if (before_r != NULL)
		*before_r = result == APPLICATION_UNKNOWN ? NULL : g_strdup(app_state_name(before));
	return result;
}

#endif
