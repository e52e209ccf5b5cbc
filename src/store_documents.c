/* store_documents.c — an application's documents: filing, superseding, reading. */

#include "store_p.h"

int store_document_insert(struct store *st, int64_t application_id, int64_t message_row,
			  const struct doc_new *doc, gint64 now, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"INSERT INTO documents (application_id, message_row, kind, filename, content_type, "
		"size, pages, sha256, path, created_at, format, problem, superseded, part_offset) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, application_id);
	sqlite3_bind_int64(stmt, 2, message_row);
	store_bind_text(stmt, 3, doc->kind);
	store_bind_text(stmt, 4, doc->filename);
	store_bind_text(stmt, 5, doc->content_type);
	sqlite3_bind_int64(stmt, 6, doc->size);
	if (doc->pages < 0)
		sqlite3_bind_null(stmt, 7);
	else
		sqlite3_bind_int(stmt, 7, doc->pages);
	store_bind_text(stmt, 8, doc->sha256);
	store_bind_text(stmt, 9, doc->path);
	store_bind_time(stmt, 10, now);
	store_bind_text(stmt, 11, doc->format ? doc->format : "unknown");
	store_bind_text(stmt, 12, doc->problem);
	sqlite3_bind_int(stmt, 13, doc->superseded);
	sqlite3_bind_int64(stmt, 14, doc->offset);
	return store_run(st, stmt, "insert document", err);
}

int store_document_current(struct store *st, int64_t application_id, const char *kind,
			   const char *sha256, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st,
					"SELECT id FROM documents WHERE application_id = ?1 AND "
					"superseded = 0 AND (?2 IS NULL OR kind = ?2) AND "
					"(?3 IS NULL OR sha256 = ?3) LIMIT 1",
					err);
	int64_t id;
	int found;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, application_id);
	store_bind_text(stmt, 2, kind);
	store_bind_text(stmt, 3, sha256);
	found = store_find_id(st, stmt, &id, "find held document", err);
	sqlite3_reset(stmt);
	return found;
}

int store_documents_supersede(struct store *st, int64_t application_id, const char *kind,
			      struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"UPDATE documents SET superseded = 1 WHERE application_id = ? "
		"AND kind = ? AND superseded = 0",
		err);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, application_id);
	store_bind_text(stmt, 2, kind);
	return store_run(st, stmt, "supersede documents", err);
}

void store_doc_row_free(gpointer p)
{
	struct doc_row *d = p;

	g_free(d->kind);
	g_free(d->filename);
	g_free(d->content_type);
	g_free(d->sha256);
	g_free(d->path);
	g_free(d->format);
	g_free(d->problem);
	g_free(d);
}

int store_documents_load(struct store *st, struct app_row *app, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(
		st,
		"SELECT kind, filename, content_type, size, pages, sha256, path, "
		"format, problem, part_offset "
		"FROM documents WHERE application_id = ? AND superseded = 0 "
		"ORDER BY id",
		err);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, app->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct doc_row *d = g_new0(struct doc_row, 1);

		d->kind = store_col_text(stmt, 0);
		d->filename = store_col_text(stmt, 1);
		d->content_type = store_col_text(stmt, 2);
		d->size = sqlite3_column_int64(stmt, 3);
		d->pages = sqlite3_column_type(stmt, 4) == SQLITE_NULL
				   ? -1
				   : sqlite3_column_int(stmt, 4);
		d->sha256 = store_col_text(stmt, 5);
		d->path = store_col_text(stmt, 6);
		d->format = store_col_text(stmt, 7);
		d->problem = store_col_text(stmt, 8);
		d->offset = sqlite3_column_int64(stmt, 9);
		g_ptr_array_add(app->documents, d);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail(st, err, "read documents");
}
