#include "gdpr.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "batch.h"
#include "gdpr_mentions.h"
#include "jsonout.h"
#include "spool.h"

/* Copies `size` bytes at `offset` of src (all of it when size < 0) into DIR/SUB/NAME and returns
 * "SUB/NAME" (owned), or NULL when src is gone. */
static char *copy_in(const char *dir, const char *sub, const char *name, const char *src,
		     gint64 offset, gint64 size)
{
	char *data = NULL, *rel, *dest;
	gsize len;

	if (src == NULL || src[0] == '\0' || !g_file_get_contents(src, &data, &len, NULL) ||
	    offset < 0 || (gsize)offset > len || (size >= 0 && (gsize)size > len - (gsize)offset)) {
		g_free(data);
		return NULL;
	}
	rel = g_build_filename(sub, name, NULL);
	dest = g_build_filename(dir, rel, NULL);
	if (!g_file_set_contents_full(dest, data + offset,
				      size >= 0 ? (gssize)size : (gssize)(len - (gsize)offset),
				      G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL)) {
		g_free(rel);
		rel = NULL;
	}
	g_free(dest);
	g_free(data);
	return rel;
}

/* Writes outbox letter `id` as DIR/SUB/PREFIX<id>.eml and returns that relative name (owned),
 * or NULL. */
static char *letter_file(struct store *st, const char *dir, const char *sub, const char *prefix,
			 const char *id, struct err *err)
{
	GBytes *bytes = NULL;
	char *rel = g_strdup_printf("%s/%s%s.eml", sub, prefix, id);
	char *dest = g_build_filename(dir, rel, NULL);
	gsize len;
	const char *data;

	if (store_outbox_message(st, g_ascii_strtoll(id, NULL, 10), &bytes, err) < 0) {
		g_free(rel);
		rel = NULL;
	} else {
		data = g_bytes_get_data(bytes, &len);
		g_file_set_contents_full(dest, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT,
					 0600, NULL);
		g_bytes_unref(bytes);
	}
	g_free(dest);
	return rel;
}

/* The number in column `name` of a row of store_person_rows. */
static gint64 cell_number(GPtrArray *row, const char *const *cols, const char *name)
{
	for (guint c = 0; c < row->len; c++)
		if (strcmp(cols[c], name) == 0 && g_ptr_array_index(row, c) != NULL)
			return g_ascii_strtoll(g_ptr_array_index(row, c), NULL, 10);
	return -1;
}

/* One array of objects, a member per column; file columns become "file" with the copy (a
 * document: its bytes of the file its message's attachments share). */
static int add_rows(JsonBuilder *b, struct store *st, enum person_query q, const char *email,
		    const char *dir, guint *count_r, struct err *err)
{
	const char *const *cols = store_person_columns(q);
	GPtrArray *rows = NULL;

	if (store_person_rows(st, q, email, &rows, err) < 0)
		return -1;
	*count_r = rows->len;
	json_builder_begin_array(b);
	for (guint r = 0; r < rows->len; r++) {
		GPtrArray *row = g_ptr_array_index(rows, r);
		char *name = NULL, *file = NULL;

		json_builder_begin_object(b);
		for (guint c = 0; c < row->len; c++) {
			const char *v = g_ptr_array_index(row, c);

			if (strcmp(cols[c], "offset") == 0) {
				continue;
			} else if (strcmp(cols[c], "path") == 0) {
				name = g_strdup_printf("%03u-%s-%s", r + 1,
						       (char *)g_ptr_array_index(row, 0),
						       (char *)g_ptr_array_index(row, 1));
				file = copy_in(dir, "documents", name, v,
					       cell_number(row, cols, "offset"),
					       cell_number(row, cols, "size"));
			} else if (strcmp(cols[c], "spool_path") == 0) {
				name = g_strdup_printf("%03u.eml", r + 1);
				file = copy_in(dir, "messages", name, v, 0, -1);
			} else if (q == PERSON_LETTERS && strcmp(cols[c], "id") == 0) {
				file = letter_file(st, dir, "letters", "", v, err);
			} else {
				jsonout_string(b, cols[c], v);
				continue;
			}
			jsonout_string(b, "file", file);
			g_free(name);
			g_free(file);
			name = file = NULL;
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	g_ptr_array_free(rows, TRUE);
	return 0;
}

/* "mentions": {"letters": [...], "replies": [...]}: what names them in others' mail (what an
 * erasure removes too), each copied into DIR/mentions/. */
static int add_mentions(JsonBuilder *b, struct store *st, const char *email, const char *dir,
			struct err *err)
{
	struct gdpr_mentions m = { 0 };
	char *lower = g_ascii_strdown(email, -1);
	int ret = gdpr_mentions_find(st, lower, &m, err);

	json_builder_set_member_name(b, "mentions");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "letters");
	json_builder_begin_array(b);
	for (guint i = 0; ret == 0 && i < m.letters->len; i++) {
		char *id = g_strdup_printf("%" G_GINT64_FORMAT,
					   g_array_index(m.letters, int64_t, i));
		char *file = letter_file(st, dir, "mentions", "letter-", id, err);

		json_builder_add_string_value(b, file ? file : "");
		g_free(file);
		g_free(id);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "replies");
	json_builder_begin_array(b);
	for (guint i = 0; ret == 0 && i < m.files->len; i++) {
		char *name = g_strdup_printf("reply-%03u.eml", i + 1);
		char *file = copy_in(dir, "mentions", name, g_ptr_array_index(m.files, i), 0, -1);

		json_builder_add_string_value(b, file ? file : "");
		g_free(file);
		g_free(name);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	gdpr_mentions_clear(&m);
	g_free(lower);
	return ret;
}

int gdpr_export(struct store *st, const char *email, const char *dir, bool *found_r,
		struct err *err)
{
	static const struct {
		const char *name;
		enum person_query q;
	} parts[] = {
		{ "person", PERSON_APPLICANT },	   { "applications", PERSON_APPLICATIONS },
		{ "documents", PERSON_DOCUMENTS }, { "messages", PERSON_MESSAGES },
		{ "letters", PERSON_LETTERS },	   { "events", PERSON_EVENTS },
		{ "decisions", PERSON_DECISIONS }, { "waiting_changes", PERSON_PENDING },
	};
	static const char *const subdirs[] = { "", "documents", "messages", "letters", "mentions" };
	JsonBuilder *b;
	char *json, *path;
	int ret = 0;

	if (g_mkdir(dir, 0700) < 0)
		return err_set(err, ERR_CONFIG, "%s: %s (give a new folder)", dir, strerror(errno));
	for (size_t i = 1; i < G_N_ELEMENTS(subdirs); i++) {
		char *sub = g_build_filename(dir, subdirs[i], NULL);

		g_mkdir(sub, 0700);
		g_free(sub);
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	jsonout_string(b, "email", email);
	for (size_t i = 0; i < G_N_ELEMENTS(parts) && ret == 0; i++) {
		guint count = 0;

		json_builder_set_member_name(b, parts[i].name);
		ret = add_rows(b, st, parts[i].q, email, dir, &count, err);
		if (parts[i].q == PERSON_APPLICANT)
			*found_r = count > 0;
	}
	if (ret == 0)
		ret = add_mentions(b, st, email, dir, err);
	json_builder_end_object(b);
	json = jsonout_finish(b);
	path = g_build_filename(dir, "person.json", NULL);
	if (ret == 0 &&
	    !g_file_set_contents_full(path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
		ret = err_set(err, ERR_TEMP, "cannot write %s", path);
	g_free(path);
	g_free(json);
	return ret;
}

struct erase_ctx {
	const struct config *cfg;
	const char *email;
	gint64 now;
	const struct gdpr_mentions *mentions;
	struct gdpr_erasure *out;
};

static bool array_has(GArray *ids, int64_t id)
{
	for (guint i = 0; i < ids->len; i++)
		if (g_array_index(ids, int64_t, i) == id)
			return true;
	return false;
}

/* Letters to others that name the person lose their body; a digest or reminder still waiting
 * to be sent is withdrawn and its batch's digest queued again, without them (their
 * application is withdrawn by then). */
static int erase_letters(struct store *st, const struct erase_ctx *e, struct err *err)
{
	GArray *letters = e->mentions->letters,
	       *batches = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int ret = 0;

	for (guint i = 0; i < letters->len && ret == 0; i++) {
		int64_t id = g_array_index(letters, int64_t, i), batch = 0;
		int waiting = store_outbox_erase_body(st, id, e->now, err);

		if (waiting <= 0) {
			ret = waiting;
			continue;
		}
		e->out->withdrawn_letters++;
		ret = store_outbox_batch_of(st, id, &batch, err);
		if (ret == 1 && !array_has(batches, batch))
			g_array_append_val(batches, batch);
		ret = ret < 0 ? -1 : 0;
	}
	for (guint i = 0; i < batches->len && ret == 0; i++) {
		int listed = 0;

		ret = batch_resend_in_tx(st, e->cfg, g_array_index(batches, int64_t, i), e->now,
					 &listed, err);
		e->out->digests_again += ret == 0 && listed > 0;
	}
	g_array_free(batches, TRUE);
	return ret;
}

static int erase_rows(struct store *st, const void *ctx, GPtrArray *files, struct err *err)
{
	const struct erase_ctx *e = ctx;
	const struct gdpr_mentions *m = e->mentions;

	if (store_person_erase(st, e->email, e->out->hash, e->now, files, &e->out->rows, err) < 0)
		return -1;
	if (erase_letters(st, e, err) < 0)
		return -1;
	for (guint i = 0; i < m->replies->len; i++)
		if (store_ledger_unspool(st, g_array_index(m->replies, int64_t, i), err) < 0)
			return -1;
	for (guint i = 0; i < m->files->len; i++)
		g_ptr_array_add(files, g_strdup(g_ptr_array_index(m->files, i)));
	return 0;
}

int gdpr_erase(struct store *st, const struct config *cfg, const char *email, gint64 now,
	       struct gdpr_erasure *out, struct err *err)
{
	struct gdpr_mentions mentions = { 0 };
	char *lower = g_ascii_strdown(email, -1);
	char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, lower, -1);
	struct erase_ctx ctx = { cfg, lower, now, &mentions, out };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	snprintf(out->hash, sizeof(out->hash), "sha256:%s", hex);
	if (gdpr_mentions_find(st, lower, &mentions, err) == 0 &&
	    spool_forget(st, erase_rows, &ctx, &out->files, err) == 0 &&
	    store_compact(st, err) == 0)
		ret = 0;
	out->commission_letters = (int)mentions.letters->len;
	out->commission_replies = (int)mentions.replies->len;
	gdpr_mentions_clear(&mentions);
	g_free(hex);
	g_free(lower);
	return ret;
}
