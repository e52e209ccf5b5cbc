#include "gdpr_mentions.h"

#include <string.h>

#include "mail.h"

/* What identifies the person in a text: the address, the name (when it is not too short to
 * mean anything) and each application's reference. */
static GPtrArray *needles_of(struct store *st, const char *email, struct err *err)
{
	GPtrArray *needles = g_ptr_array_new_with_free_func(g_free), *rows = NULL;

	g_ptr_array_add(needles, g_utf8_casefold(email, -1));
	if (store_person_rows(st, PERSON_APPLICANT, email, &rows, err) < 0)
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		GPtrArray *row = g_ptr_array_index(rows, i);
		const char *name = g_ptr_array_index(row, 1);

		if (name != NULL && g_utf8_strlen(name, -1) >= 4)
			g_ptr_array_add(needles, g_utf8_casefold(name, -1));
	}
	g_ptr_array_free(rows, TRUE);
	if (store_person_rows(st, PERSON_APPLICATIONS, email, &rows, err) < 0)
		goto fail;
	for (guint i = 0; i < rows->len; i++) {
		GPtrArray *row = g_ptr_array_index(rows, i);

		g_ptr_array_add(needles, g_utf8_casefold(g_ptr_array_index(row, 0), -1));
	}
	g_ptr_array_free(rows, TRUE);
	return needles;
fail:
	g_ptr_array_free(needles, TRUE);
	return NULL;
}

static bool names(GBytes *message, GPtrArray *needles)
{
	char *text = mail_text_of(message), *folded = g_utf8_casefold(text ? text : "", -1);
	bool found = false;

	for (guint i = 0; i < needles->len && !found; i++)
		found = strstr(folded, g_ptr_array_index(needles, i)) != NULL;
	g_free(folded);
	g_free(text);
	return found;
}

static int find_letters(struct store *st, const char *email, GPtrArray *needles, GArray *out,
			struct err *err)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int ret = store_outbox_others(st, email, ids, err);

	for (guint i = 0; ret == 0 && i < ids->len; i++) {
		int64_t id = g_array_index(ids, int64_t, i);
		GBytes *body = NULL;

		if ((ret = store_outbox_message(st, id, &body, err)) < 0)
			break;
		ret = 0;
		if (body != NULL && names(body, needles))
			g_array_append_val(out, id);
		if (body != NULL)
			g_bytes_unref(body);
	}
	g_array_free(ids, TRUE);
	return ret;
}

static int find_replies(struct store *st, const char *email, GPtrArray *needles,
			struct gdpr_mentions *out, struct err *err)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	int ret = store_ledger_others_spooled(st, email, ids, paths, err);

	for (guint i = 0; ret == 0 && i < ids->len; i++) {
		const char *path = g_ptr_array_index(paths, i);
		gchar *data = NULL;
		gsize len = 0;
		GBytes *bytes;

		if (!g_file_get_contents(path, &data, &len, NULL))
			continue; /* already gone */
		bytes = g_bytes_new_take(data, len);
		if (names(bytes, needles)) {
			g_array_append_val(out->replies, g_array_index(ids, int64_t, i));
			g_ptr_array_add(out->files, g_strdup(path));
		}
		g_bytes_unref(bytes);
	}
	g_ptr_array_free(paths, TRUE);
	g_array_free(ids, TRUE);
	return ret;
}

int gdpr_mentions_find(struct store *st, const char *email, struct gdpr_mentions *out,
		       struct err *err)
{
	GPtrArray *needles = needles_of(st, email, err);
	int ret;

	out->letters = g_array_new(FALSE, FALSE, sizeof(int64_t));
	out->replies = g_array_new(FALSE, FALSE, sizeof(int64_t));
	out->files = g_ptr_array_new_with_free_func(g_free);
	if (needles == NULL)
		return -1;
	ret = find_letters(st, email, needles, out->letters, err);
	if (ret == 0)
		ret = find_replies(st, email, needles, out, err);
	g_ptr_array_free(needles, TRUE);
	return ret;
}

void gdpr_mentions_clear(struct gdpr_mentions *m)
{
	if (m->letters != NULL)
		g_array_free(m->letters, TRUE);
	if (m->replies != NULL)
		g_array_free(m->replies, TRUE);
	if (m->files != NULL)
		g_ptr_array_free(m->files, TRUE);
	memset(m, 0, sizeof(*m));
}
