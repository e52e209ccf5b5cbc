#include "digest.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "compose.h"
#include "digest_parts.h"
#include "dossier.h"
#include "letter.h"
#include "log.h"
#include "template.h"
#include "timeutil.h"

int digest_token_new(char **token_r, struct err *err)
{
	unsigned char bytes[12];
	GString *hex = g_string_new(NULL);

	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
		g_string_free(hex, TRUE);
		return err_set(err, ERR_TEMP, "digest token: getrandom: %s", strerror(errno));
	}
	for (size_t i = 0; i < sizeof(bytes); i++)
		g_string_append_printf(hex, "%02x", bytes[i]);
	*token_r = g_string_free(hex, FALSE);
	return 0;
}

static char *pages_text(const struct doc_row *d)
{
	if (d == NULL)
		return g_strdup("-");
	return d->pages >= 0 ? g_strdup_printf("%d", d->pages) : g_strdup("?");
}

/* The variables of one snippets/digest-row.txt: an application (struct app_row). */
static GHashTable *row_vars(const void *row, const void *ctx)
{
	const struct app_row *a = row;
	GHashTable *vars = letter_vars_new(ctx, a->name, a->email, a->ref, a->edition);

	g_hash_table_insert(vars, "received", g_strdup(a->received_at));
	g_hash_table_insert(vars, "cv_pages", pages_text(app_row_document(a, "cv")));
	g_hash_table_insert(vars, "letter_pages", pages_text(app_row_document(a, "letter")));
	g_hash_table_insert(vars, "problems", g_strdup(a->problems[0] ? a->problems : "none"));
	return vars;
}

static int table_text(const struct config *cfg, GPtrArray *apps, char **text_r, struct err *err)
{
	return template_snippet_rows(cfg->templates.search, "digest-row", apps, row_vars, cfg,
				     text_r, err);
}

/* The letter and CV of every application, named "REF-letter.pdf", "REF-cv.pdf". */
static GArray *attachments_of(GPtrArray *apps, GPtrArray *names)
{
	GArray *atts = g_array_new(FALSE, FALSE, sizeof(struct compose_attachment));

	for (guint i = 0; i < apps->len; i++) {
		const struct app_row *a = g_ptr_array_index(apps, i);

		for (guint k = 0; k < a->documents->len; k++) {
			const struct doc_row *d = g_ptr_array_index(a->documents, k);
			char *name = dossier_attachment_name(a->ref, d->kind, d->filename);
			struct compose_attachment att = { .path = d->path,
							  .offset = d->offset,
							  .size = d->size,
							  .filename = name,
							  .content_type = d->content_type };

			if (strcmp(d->kind, "other") == 0) {
				g_free(name);
			} else {
				g_ptr_array_add(names, name);
				g_array_append_val(atts, att);
			}
		}
	}
	return atts;
}

static GHashTable *batch_vars(const struct config *cfg, const struct batch_row *b, guint count)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	gint64 closes = 0;
	GDate last;

	/* The window's last day is the day before it closes. */
	time_parse(b->closes_on, &closes);
	time_day(closes - 86400, &last);
	g_hash_table_insert(vars, "last_day", time_day_text(&last));
	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "batch", g_strdup_printf("%" G_GINT64_FORMAT, b->id));
	g_hash_table_insert(vars, "opens", g_strdup(b->opens_on));
	g_hash_table_insert(vars, "closes", g_strdup(b->closes_on));
	g_hash_table_insert(vars, "count", g_strdup_printf("%u", count));
	g_hash_table_insert(vars, "token", g_strdup(b->token));
	g_hash_table_insert(vars, "reminder_days",
			    g_strdup_printf("%d", cfg->batches.reminder_days));
	return vars;
}

char *digest_part_message_id(const struct config *cfg, const char *kind, const struct batch_row *b,
			     int round, int part)
{
	GString *local = g_string_new(NULL);
	char *mid;

	g_string_printf(local, "%s.%s", kind, b->token);
	if (round > 0)
		g_string_append_printf(local, ".r%d", round);
	if (part > 1)
		g_string_append_printf(local, ".%d", part);
	mid = compose_message_id_for(cfg, local->str);
	g_string_free(local, TRUE);
	return mid;
}

/* "\n\nTEXT" for a note that follows a paragraph of the template, "" for none. */
static int note_append(const struct config *cfg, const char *name, GHashTable *vars, GString *out,
		       struct err *err)
{
	char *text = NULL;

	if (template_snippet(cfg->templates.search, name, vars, &text, err) < 0)
		return -1;
	g_string_append_printf(out, "\n\n%s", text);
	g_free(text);
	return 0;
}

static int omitted_note(const struct config *cfg, const struct app_row *a, GString *out,
			struct err *err)
{
	GHashTable *vars = letter_vars_new(cfg, a->name, a->email, a->ref, a->edition);
	int ret;

	g_hash_table_insert(vars, "size_mb",
			    g_strdup_printf("%.1f", (double)digest_app_wire_bytes(a) / 1e6));
	g_hash_table_insert(vars, "limit_mb",
			    g_strdup_printf("%.1f", cfg->commission.max_message_bytes / 1e6));
	ret = note_append(cfg, "digest-documents-omitted", vars, out, err);
	g_hash_table_destroy(vars);
	return ret;
}

/* part, parts, part_label (" (part 2 of 4)", or "" for a batch of one part) and part_note
 * (the part's note and, for an application sent without its documents, why). */
static int part_vars(const struct config *cfg, GHashTable *vars, int part, int parts, guint total,
		     const struct app_row *omitted, struct err *err)
{
	GString *note = g_string_new(NULL);
	char *label = NULL;
	int ret = 0;

	g_hash_table_insert(vars, "part", g_strdup_printf("%d", part));
	g_hash_table_insert(vars, "parts", g_strdup_printf("%d", parts));
	g_hash_table_insert(vars, "total", g_strdup_printf("%u", total));
	if (parts > 1) {
		ret = template_snippet(cfg->templates.search, "digest-part-label", vars, &label,
				       err);
		if (ret == 0)
			ret = note_append(cfg, "digest-part-note", vars, note, err);
	}
	if (ret == 0 && omitted != NULL)
		ret = omitted_note(cfg, omitted, note, err);
	g_hash_table_insert(vars, "part_label", label != NULL ? label : g_strdup(""));
	g_hash_table_insert(vars, "part_note", g_string_free(note, FALSE));
	return ret;
}

GHashTable *digest_vars_new(const struct config *cfg, const struct batch_row *b, GPtrArray *apps,
			    int part, int parts, guint total, bool without_documents,
			    struct err *err)
{
	GHashTable *vars = batch_vars(cfg, b, apps->len);

	if (part_vars(cfg, vars, part, parts, total,
		      without_documents ? g_ptr_array_index(apps, 0) : NULL, err) < 0) {
		g_hash_table_destroy(vars);
		return NULL;
	}
	return vars;
}

/* The dossier and the documents beside it, appended to atts, when it fits the email; false
 * when there is none (logged: the documents then go as separate files). */
static bool dossier_attached(const struct config *cfg, const struct batch_row *b, GHashTable *vars,
			     const struct digest_part *p, int part, int parts, struct dossier *dos,
			     GArray *atts, GPtrArray *names)
{
	struct err err = { 0 };
	char *name = dossier_filename(b->id, part, parts);
	struct compose_attachment att = { .filename = name, .content_type = "application/pdf" };
	gint64 wire = DIGEST_PART_BASE_BYTES + (gint64)p->apps->len * DIGEST_ROW_BYTES;

	g_ptr_array_add(names, name);
	if (dossier_build(cfg, vars, p->apps, dos, &err) < 0) {
		log_warn("digest batch=%" G_GINT64_FORMAT " part=%d: no dossier, its documents go "
			 "as separate files: %s",
			 b->id, part, err.text);
		return false;
	}
	att.path = dos->path;
	att.size = dos->size;
	g_array_append_val(atts, att);
	wire += digest_attachment_wire_bytes(dos->size);
	for (guint i = 0; i < p->apps->len; i++) {
		const struct app_row *a = g_ptr_array_index(p->apps, i);

		for (guint k = 0; k < a->documents->len; k++) {
			const struct doc_row *d = g_ptr_array_index(a->documents, k);
			struct compose_attachment beside = { .path = d->path,
							     .offset = d->offset,
							     .size = d->size,
							     .filename = g_hash_table_lookup(
								     dos->separate, d),
							     .content_type = d->content_type };

			if (beside.filename == NULL)
				continue;
			g_array_append_val(atts, beside);
			wire += digest_attachment_wire_bytes(d->size);
		}
	}
	if (wire <= cfg->commission.max_message_bytes)
		return true;
	log_warn("digest batch=%" G_GINT64_FORMAT " part=%d: its dossier would make the email "
		 "%.1f MB, over commission.max_message_bytes; its documents go as separate files",
		 b->id, part, wire / 1e6);
	g_array_set_size(atts, 0);
	dossier_clear(dos);
	return false;
}

/* The part's attachments, and what the digest says of them (documents_note). */
static GArray *part_attachments(const struct config *cfg, const struct batch_row *b,
				GHashTable *vars, const struct digest_part *p, int part, int parts,
				struct dossier *dos, GPtrArray *names, struct err *err)
{
	GArray *atts = g_array_new(FALSE, FALSE, sizeof(struct compose_attachment));
	bool dossier = cfg->commission.dossier && !p->without_documents &&
		       dossier_attached(cfg, b, vars, p, part, parts, dos, atts, names);
	char *note = NULL;

	if (!dossier && !p->without_documents) {
		g_array_free(atts, TRUE);
		atts = attachments_of(p->apps, names);
	}
	if (dossier)
		g_hash_table_insert(vars, "dossier", g_strdup(g_ptr_array_index(names, 0)));
	if (template_snippet(cfg->templates.search,
			     dossier ? "digest-documents-dossier" : "digest-documents-files", vars,
			     &note, err) < 0) {
		g_array_free(atts, TRUE);
		return NULL;
	}
	g_hash_table_insert(vars, "documents_note", note);
	return atts;
}

static int queue_part(struct store *st, const struct config *cfg, const struct batch_row *b,
		      const struct digest_part *p, int part, int parts, guint total, gint64 now,
		      struct err *err)
{
	GHashTable *vars = digest_vars_new(cfg, b, p->apps, part, parts, total,
					   p->without_documents, err);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct dossier dos = { 0 };
	GArray *atts = vars ? part_attachments(cfg, b, vars, p, part, parts, &dos, names, err)
			    : NULL;
	char *table = NULL, *mid = digest_part_message_id(cfg, "digest", b, b->digest_round, part);
	int ret = atts != NULL ? 0 : -1;

	if (ret == 0)
		ret = table_text(cfg, p->apps, &table, err);
	if (ret == 0) {
		g_hash_table_insert(vars, "applications", table);
		struct compose_in in = letter_internal("digest", vars, cfg->commission.address);

		in.message_id = mid;
		in.attachments = (const struct compose_attachment *)(void *)atts->data;
		in.n_attachments = atts->len;
		ret = letter_queue(st, cfg, 0, &in, now, NULL, err);
	}
	for (guint i = 0; ret == 0 && i < p->apps->len; i++)
		ret = store_application_set_digest_part(
			st, ((const struct app_row *)g_ptr_array_index(p->apps, i))->id, part, err);
	if (vars != NULL)
		g_hash_table_destroy(vars);
	if (atts != NULL)
		g_array_free(atts, TRUE);
	dossier_clear(&dos);
	g_ptr_array_free(names, TRUE);
	g_free(mid);
	return ret;
}

int digest_queue(struct store *st, const struct config *cfg, const struct batch_row *b,
		 GPtrArray *apps, const char *token, gint64 now, char **message_id_r,
		 struct err *err)
{
	GPtrArray *parts = digest_parts_plan(
		apps, cfg->commission.max_message_bytes -
			      (cfg->commission.dossier ? DIGEST_DOSSIER_BYTES : 0));
	struct batch_row with_token = *b; /* a batch being closed has no token yet */
	int ret = 0;

	with_token.token = (char *)token;
	for (guint k = 0; ret == 0 && k < parts->len; k++)
		ret = queue_part(st, cfg, &with_token, g_ptr_array_index(parts, k), (int)k + 1,
				 (int)parts->len, apps->len, now, err);
	if (ret == 0) {
		*message_id_r = digest_part_message_id(cfg, "digest", &with_token, b->digest_round,
						       1);
		log_info("digest batch=%" G_GINT64_FORMAT " round=%d parts=%u applications=%u",
			 b->id, b->digest_round, parts->len, apps->len);
	}
	digest_parts_free(parts);
	return ret;
}

/* The reminder of one part: its undecided applications; it threads to that part's digest. */
static int remind_part(struct store *st, const struct config *cfg, const struct batch_row *b,
		       GPtrArray *apps, int part, int parts, guint total, gint64 now,
		       struct err *err)
{
	GHashTable *vars = batch_vars(cfg, b, apps->len);
	char *table = NULL,
	     *mid = digest_part_message_id(cfg, "reminder", b, b->digest_round, part);
	char *digest_mid = digest_part_message_id(cfg, "digest", b, b->digest_round, part);
	int ret = part_vars(cfg, vars, part, parts, total, NULL, err);

	if (ret == 0)
		ret = table_text(cfg, apps, &table, err);
	if (ret == 0) {
		g_hash_table_insert(vars, "applications", table);
		g_hash_table_insert(vars, "digest_date", g_strndup(b->closed_at, 10));
		struct compose_in in = letter_internal("reminder", vars, cfg->commission.address);

		in.in_reply_to = digest_mid;
		in.message_id = mid;
		ret = letter_queue(st, cfg, 0, &in, now, NULL, err);
	}
	g_hash_table_destroy(vars);
	g_free(digest_mid);
	g_free(mid);
	return ret;
}

int digest_queue_reminder(struct store *st, const struct config *cfg, const struct batch_row *b,
			  GPtrArray *apps, int parts, gint64 now, struct err *err)
{
	int ret = 0;

	parts = MAX(parts, 1);
	for (int part = 1; ret == 0 && part <= parts; part++) {
		GPtrArray *of_part = g_ptr_array_new();

		for (guint i = 0; i < apps->len; i++) {
			const struct app_row *a = g_ptr_array_index(apps, i);

			if (a->digest_part == part)
				g_ptr_array_add(of_part, (gpointer)a);
		}
		if (of_part->len > 0)
			ret = remind_part(st, cfg, b, of_part, part, parts, apps->len, now, err);
		g_ptr_array_free(of_part, TRUE);
	}
	return ret;
}
