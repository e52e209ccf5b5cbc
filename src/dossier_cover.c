#include "dossier_cover.h"

#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "letter.h"
#include "store.h"
#include "template.h"

/* A4 in points, and its margins. */
#define PAGE_W	 595.28
#define PAGE_H	 841.89
#define MARGIN	 40.0
#define CELL_PAD 3.0
#define COLUMNS	 6

/* Of the text width: reference, applicant, received, letter, CV, problems. */
static const double column_share[COLUMNS] = { 0.17, 0.37, 0.12, 0.08, 0.08, 0.18 };

struct cover {
	cairo_t *cr;
	/* Its own, freed with it: pango's default font map caches fonts for the life of the
	 * process, which a daemon would carry (and leak checkers report). */
	PangoFontMap *fonts;
	PangoContext *context;
	double y;
	char *columns[COLUMNS]; /* owned: the table's headings */
};

static cairo_status_t append_bytes(void *closure, const unsigned char *data, unsigned int len)
{
	g_byte_array_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

/* A layout of `text` (any UTF-8 is shown; invalid bytes as U+FFFD) at most `width` wide. */
static PangoLayout *text_layout(struct cover *c, const char *text, double width, int size,
				bool bold)
{
	PangoLayout *layout = pango_layout_new(c->context);
	PangoFontDescription *font = pango_font_description_new();
	char *valid = g_utf8_make_valid(text, -1);

	pango_font_description_set_family(font, "Sans");
	pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
	pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, font);
	pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(layout, valid, -1);
	pango_font_description_free(font);
	g_free(valid);
	return layout;
}

static double layout_height(PangoLayout *layout)
{
	int w, h;

	pango_layout_get_size(layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void new_page(struct cover *c)
{
	cairo_show_page(c->cr);
	c->y = MARGIN;
}

/* A paragraph across the page, on a new page when it does not fit on this one. */
static void paragraph(struct cover *c, const char *text, int size, bool bold)
{
	PangoLayout *layout = text_layout(c, text, PAGE_W - 2 * MARGIN, size, bold);
	double h = layout_height(layout);

	if (c->y + h > PAGE_H - MARGIN && c->y > MARGIN)
		new_page(c);
	cairo_move_to(c->cr, MARGIN, c->y);
	pango_cairo_show_layout(c->cr, layout);
	c->y += h + size * 0.5;
	g_object_unref(layout);
}

/* One row of the table: cells[COLUMNS], a line under it. Repeats the headings on a new page. */
static void row(struct cover *c, char *const *cells, bool bold)
{
	PangoLayout *layouts[COLUMNS];
	double h = 0, x = MARGIN, width = PAGE_W - 2 * MARGIN;

	for (int i = 0; i < COLUMNS; i++) {
		layouts[i] = text_layout(c, cells[i], width * column_share[i] - 2 * CELL_PAD, 8,
					 bold);
		h = MAX(h, layout_height(layouts[i]));
	}
	h += 2 * CELL_PAD;
	if (c->y + h > PAGE_H - MARGIN) {
		new_page(c);
		if (!bold)
			row(c, c->columns, true);
	}
	for (int i = 0; i < COLUMNS; i++) {
		cairo_move_to(c->cr, x + CELL_PAD, c->y + CELL_PAD);
		pango_cairo_show_layout(c->cr, layouts[i]);
		x += width * column_share[i];
		g_object_unref(layouts[i]);
	}
	c->y += h;
	cairo_set_line_width(c->cr, bold ? 0.8 : 0.3);
	cairo_move_to(c->cr, MARGIN, c->y);
	cairo_line_to(c->cr, PAGE_W - MARGIN, c->y);
	cairo_stroke(c->cr);
}

int dossier_document_name(const struct config *cfg, const char *kind, char **name_r,
			  struct err *err)
{
	return template_snippet(cfg->templates.search,
				strcmp(kind, "cv") == 0 ? "dossier-cv" : "dossier-letter", NULL,
				name_r, err);
}

/* A document's cell: its pages in the dossier, "attached" beside it, or "-" for none. */
static char *pages_cell(const struct config *cfg, const struct doc_row *d, GHashTable *separate,
			struct err *err)
{
	char *text = NULL;

	if (d == NULL)
		return g_strdup("-");
	if (!g_hash_table_contains(separate, d))
		return g_strdup_printf("%d", d->pages);
	if (template_snippet(cfg->templates.search, "dossier-cover-attached-cell", NULL, &text,
			     err) < 0)
		return NULL;
	return text;
}

static int application_row(struct cover *c, const struct config *cfg, const struct app_row *a,
			   GHashTable *separate, struct err *err)
{
	char *cells[COLUMNS] = { g_strdup(a->ref),
				 g_strdup_printf("%s\n%s", a->name, a->email),
				 g_strndup(a->received_at, 10),
				 pages_cell(cfg, app_row_document(a, "letter"), separate, err),
				 pages_cell(cfg, app_row_document(a, "cv"), separate, err),
				 g_strdup(a->problems[0] ? a->problems : "-") };
	int ret = cells[3] != NULL && cells[4] != NULL ? 0 : -1;

	if (ret == 0)
		row(c, cells, false);
	for (int i = 0; i < COLUMNS; i++)
		g_free(cells[i]);
	return ret;
}

/* "REF letter is attached as REF-letter.docx" for each document beside the dossier. */
static int attached_notes(struct cover *c, const struct config *cfg, GPtrArray *apps,
			  GHashTable *separate, struct err *err)
{
	int ret = 0;

	c->y += 8;
	for (guint i = 0; ret == 0 && i < apps->len; i++) {
		const struct app_row *a = g_ptr_array_index(apps, i);

		for (guint k = 0; ret == 0 && k < a->documents->len; k++) {
			const struct doc_row *d = g_ptr_array_index(a->documents, k);
			GHashTable *vars;
			char *name = NULL, *text = NULL;

			if (!g_hash_table_contains(separate, d) ||
			    dossier_document_name(cfg, d->kind, &name, err) < 0) {
				ret = g_hash_table_contains(separate, d) ? -1 : 0;
				continue;
			}
			vars = letter_vars_new(cfg, a->name, a->email, a->ref, a->edition);
			g_hash_table_insert(vars, "document", name);
			g_hash_table_insert(vars, "attachment",
					    g_strdup(g_hash_table_lookup(separate, d)));
			ret = template_snippet(cfg->templates.search, "dossier-cover-attached",
					       vars, &text, err);
			if (ret == 0)
				paragraph(c, text, 8, false);
			g_free(text);
			g_hash_table_destroy(vars);
		}
	}
	return ret;
}

/* The heading: its first line large, the rest as paragraphs. */
static int heading(struct cover *c, const struct config *cfg, GHashTable *vars, struct err *err)
{
	char *text = NULL, **lines;

	if (template_snippet(cfg->templates.search, "dossier-cover-heading", vars, &text, err) < 0)
		return -1;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++)
		if (lines[i][0] != '\0')
			paragraph(c, lines[i], i == 0 ? 14 : 9, i == 0);
	c->y += 6;
	g_strfreev(lines);
	g_free(text);
	return 0;
}

static int column_headings(struct cover *c, const struct config *cfg, struct err *err)
{
	char *text = NULL, **lines;
	int i = 0;

	if (template_snippet(cfg->templates.search, "dossier-cover-columns", NULL, &text, err) < 0)
		return -1;
	lines = g_strsplit(text, "\n", COLUMNS);
	for (; i < COLUMNS && lines[i] != NULL; i++)
		c->columns[i] = g_strdup(lines[i]);
	for (; i < COLUMNS; i++)
		c->columns[i] = g_strdup("");
	g_strfreev(lines);
	g_free(text);
	return 0;
}

static int draw(struct cover *c, const struct config *cfg, GHashTable *vars, GPtrArray *apps,
		GHashTable *separate, struct err *err)
{
	if (heading(c, cfg, vars, err) < 0 || column_headings(c, cfg, err) < 0)
		return -1;
	row(c, c->columns, true);
	for (guint i = 0; i < apps->len; i++)
		if (application_row(c, cfg, g_ptr_array_index(apps, i), separate, err) < 0)
			return -1;
	return attached_notes(c, cfg, apps, separate, err);
}

int dossier_cover_draw(const struct config *cfg, GHashTable *vars, GPtrArray *apps,
		       GHashTable *separate, GByteArray **pdf_r, struct err *err)
{
	GByteArray *pdf = g_byte_array_new();
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(append_bytes, pdf, PAGE_W,
								       PAGE_H);
	struct cover c = { .cr = cairo_create(surface), .y = MARGIN };
	int ret;
	cairo_status_t status;

	c.fonts = pango_cairo_font_map_new();
	c.context = pango_font_map_create_context(c.fonts);
	pango_cairo_update_context(c.cr, c.context);
	ret = draw(&c, cfg, vars, apps, separate, err);
	g_object_unref(c.context);
	g_object_unref(c.fonts);
	cairo_destroy(c.cr);
	cairo_surface_finish(surface);
	status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	for (int i = 0; i < COLUMNS; i++)
		g_free(c.columns[i]);
	if (ret == 0 && status != CAIRO_STATUS_SUCCESS)
		ret = err_set(err, ERR_TEMP, "dossier cover: %s", cairo_status_to_string(status));
	if (ret < 0) {
		g_byte_array_free(pdf, TRUE);
		return -1;
	}
	*pdf_r = pdf;
	return 0;
}
