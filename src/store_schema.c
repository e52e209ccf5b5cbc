/* store_schema.c — the schema as a list of migrations; PRAGMA user_version counts those applied.
 * A migration, once released, is never edited: a change is a new entry at the end. */

#include "store_p.h"

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE applicants ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  undeliverable_at TEXT,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE batches ("
	"  id INTEGER PRIMARY KEY,"
	"  opens_on TEXT NOT NULL,"
	"  closes_on TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),"
	"  token TEXT UNIQUE,"
	"  digest_message_id TEXT,"
	"  closed_at TEXT,"
	"  reminded_at TEXT);"
	/* One open batch per window; an early close starts a new one for the same window. */
	"CREATE UNIQUE INDEX batches_open_window ON batches(opens_on) WHERE state = 'open';"
	"CREATE TABLE reference_counters ("
	"  prefix TEXT PRIMARY KEY,"
	"  last INTEGER NOT NULL);"
	"CREATE TABLE applications ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  applicant_id INTEGER NOT NULL REFERENCES applicants(id),"
	"  edition TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('incomplete', 'pending', 'in_review', 'accepted',"
	"    'discarded', 'reserve', 'next_edition', 'withdrawn')),"
	"  batch_id INTEGER REFERENCES batches(id),"
	"  problems TEXT NOT NULL DEFAULT '',"
	"  received_at TEXT NOT NULL,"
	"  completed_at TEXT,"
	"  updated_at TEXT NOT NULL,"
	"  purged_at TEXT,"
	"  thread_message_id TEXT);"
	"CREATE INDEX applications_by_state ON applications(state);"
	"CREATE INDEX applications_by_applicant ON applications(applicant_id);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  message_id TEXT,"
	"  sha256 TEXT NOT NULL,"
	"  spool_path TEXT NOT NULL,"
	"  sender TEXT,"
	"  subject TEXT,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('application', 'followup', 'ignored',"
	"    'decision', 'duplicate', 'quarantined', 'inquiry', 'too-large')),"
	"  detail TEXT,"
	"  application_id INTEGER REFERENCES applications(id),"
	"  received_at TEXT NOT NULL,"
	"  moved INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (uidvalidity, uid));"
	"CREATE INDEX messages_by_content ON messages(sha256, message_id);"
	"CREATE INDEX messages_by_message_id ON messages(message_id);"
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  message_row INTEGER NOT NULL REFERENCES messages(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('cv', 'letter', 'other')),"
	"  filename TEXT,"
	"  content_type TEXT NOT NULL,"
	"  format TEXT NOT NULL DEFAULT 'unknown',"
	"  problem TEXT,"
	"  size INTEGER NOT NULL,"
	"  pages INTEGER,"
	"  sha256 TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  superseded INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL);"
	"CREATE INDEX documents_by_application ON documents(application_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER REFERENCES applications(id),"
	"  template TEXT NOT NULL,"
	"  to_addr TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  message BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued', 'sending', 'sent', 'failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at TEXT NOT NULL,"
	"  last_error TEXT,"
	"  office_told INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  sent_at TEXT);"
	"CREATE INDEX outbox_by_due ON outbox(state, next_attempt_at);"
	"CREATE TABLE decisions ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  decision TEXT NOT NULL CHECK (decision IN ('accept', 'discard', 'reserve')),"
	"  previous_state TEXT NOT NULL,"
	"  decided_by TEXT NOT NULL,"
	"  source_message_id TEXT,"
	"  forced INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  application_id INTEGER REFERENCES applications(id),"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX events_by_application ON events(application_id);"
	"CREATE TABLE mailbox_state ("
	"  mailbox TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL);"
	"CREATE TABLE daemon_state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 2: the reply limits count recent replies for every reply; without these each count read
	 * the whole outbox, and filing slowed down as it grew. Per address: an index that covers the
	 * count. In all: replies per minute, kept by a trigger in the same transaction as the row,
	 * so the last hour is at most 61 rows however many replies it holds. */
	"CREATE INDEX outbox_by_recipient ON outbox(to_addr, created_at, template);"
	"CREATE TABLE reply_minutes ("
	"  minute TEXT PRIMARY KEY," /* 2026-11-28T04:01 */
	"  replies INTEGER NOT NULL);"
	"INSERT INTO reply_minutes SELECT substr(created_at, 1, 16), count(*) FROM outbox"
	"  WHERE " AUTO_REPLY " AND created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"
	"  GROUP BY 1;"
	"CREATE TRIGGER outbox_counts_replies AFTER INSERT ON outbox WHEN NEW." AUTO_REPLY " BEGIN"
	"  INSERT INTO reply_minutes VALUES (substr(NEW.created_at, 1, 16), 1)"
	"    ON CONFLICT (minute) DO UPDATE SET replies = replies + 1;"
	"  DELETE FROM reply_minutes"
	"    WHERE minute < strftime('%Y-%m-%dT%H:%M', NEW.created_at, '-1 day');"
	"  END;",
	/* 3: a message's attachments share one file (spool.h): each document is the byte range
	 * part_offset, size of its path. Documents filed before have a file each, at offset 0. */
	"ALTER TABLE documents ADD COLUMN part_offset INTEGER NOT NULL DEFAULT 0;",
	/* 4: names and subjects are stored as one safe line (untrusted.h); the From header as it
	 * came is kept beside them, for the record. */
	"ALTER TABLE messages ADD COLUMN raw_from TEXT;",
	/* 5: a member may give a reason after the references; it stays with the decision. */
	"ALTER TABLE decisions ADD COLUMN reason TEXT;",
	/* 6: how often processing a message crashed admitd (crashmark.h); gone once the message
	 * is filed. */
	"CREATE TABLE attempts ("
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  PRIMARY KEY (uidvalidity, uid));",
	/* 7: a batch's digest may travel in parts (digest_parts.h); each application is listed
	 * in one, and a reply to a part decides what it listed (NULL: not sent in a digest).
	 * `admitctl batch resend` sends a digest again as a new round; the failed emails it
	 * replaces are superseded and need no attention any more. */
	"ALTER TABLE applications ADD COLUMN digest_part INTEGER;"
	"ALTER TABLE batches ADD COLUMN digest_round INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN superseded_at TEXT;",
	/* 8: a change to an application that did not come in our thread with its applicant waits
	 * for their confirmation (confirm.h): its documents are stored superseded until then. */
	"CREATE TABLE pending_changes ("
	"  id INTEGER PRIMARY KEY,"
	"  application_id INTEGER NOT NULL REFERENCES applications(id),"
	"  message_row INTEGER NOT NULL REFERENCES messages(id),"
	"  address TEXT NOT NULL,"
	"  name TEXT,"
	"  confirm_message_id TEXT,"
	"  created_at TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'applied')));"
	"CREATE INDEX pending_by_confirm ON pending_changes(confirm_message_id);"
	/* A quarantined message released (quarantine.h) is filed again under a new ledger row;
	 * this remembers which, so that a second release says what became of it. */
	/* Retention of mail that belongs to no application goes by outcome and age. */
	"CREATE INDEX messages_spooled_by_outcome ON messages(outcome, received_at) "
	"  WHERE spool_path <> '';"
	"CREATE TABLE quarantine_releases ("
	"  old_row INTEGER PRIMARY KEY,"
	"  new_row INTEGER NOT NULL REFERENCES messages(id),"
	"  released_at TEXT NOT NULL);",
};

/* The names in the applications table's CHECK (state IN ('a', 'b' ...)), as stored in
 * sqlite_schema, appended to `names`. */
static int checked_states(struct store *st, GPtrArray *names, struct err *err)
{
	static const char opening[] = "CHECK (state IN (";
	sqlite3_stmt *stmt = store_prep(
		st, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'applications'",
		err);
	const char *sql = NULL, *list = NULL, *end = NULL;
	char *inner, **items;

	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		sql = (const char *)sqlite3_column_text(stmt, 0);
	if (sql != NULL && (list = strstr(sql, opening)) != NULL)
		end = strchr(list, ')');
	if (end == NULL) {
		sqlite3_reset(stmt);
		return err_set(err, ERR_FATAL, "store: the applications table has no state check");
	}
	list += strlen(opening);
	inner = g_strndup(list, (gsize)(end - list));
	sqlite3_reset(stmt);
	items = g_strsplit(inner, ",", -1);
	for (char **item = items; *item != NULL; item++)
		g_ptr_array_add(names, g_strdup(g_strstrip(g_strdelimit(*item, "'", ' '))));
	g_free(inner);
	g_strfreev(items);
	return 0;
}

/* The stored CHECK must allow exactly the states this build knows: a state added to
 * app_state.c without a migration would fail at its first write, and one removed would make
 * stored rows unreadable. */
static int check_states(struct store *st, struct err *err)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GString *diff = g_string_new(NULL);
	int ret = checked_states(st, names, err);

	for (int s = 0; s < APP_STATE_COUNT && ret == 0; s++) {
		gboolean found = FALSE;

		for (guint i = 0; i < names->len && !found; i++)
			found = strcmp(g_ptr_array_index(names, i), app_state_name(s)) == 0;
		if (!found)
			g_string_append_printf(diff, " missing %s;", app_state_name(s));
	}
	for (guint i = 0; i < names->len && ret == 0; i++) {
		enum app_state s;

		if (!app_state_parse(g_ptr_array_index(names, i), &s))
			g_string_append_printf(diff, " unknown %s;",
					       (char *)g_ptr_array_index(names, i));
	}
	if (ret == 0 && diff->len > 0)
		ret = err_set(err, ERR_FATAL,
			      "store: the database's application states differ from this "
			      "admitd's (%s ): a migration is missing",
			      diff->str + 1);
	g_string_free(diff, TRUE);
	g_ptr_array_free(names, TRUE);
	return ret;
}

int store_migrate(struct store *st, struct err *err)
{
	sqlite3_stmt *stmt = store_prep(st, "PRAGMA user_version", err);
	int version;

	if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
		return store_fail(st, err, "read schema version");
	version = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	if (version > (int)G_N_ELEMENTS(migrations))
		return err_set(err, ERR_FATAL,
			       "store: the database has schema version %d, newer than this admitd "
			       "(%d); upgrade admitd",
			       version, (int)G_N_ELEMENTS(migrations));
	for (; version < (int)G_N_ELEMENTS(migrations); version++) {
		char *bump = g_strdup_printf("PRAGMA user_version = %d", version + 1);
		int ret = 0;

		/* Each step and its version bump commit together, so a crash repeats nothing. */
		if (store_begin(st, err) < 0)
			ret = -1;
		else if (store_exec(st, migrations[version], "migrate", err) < 0 ||
			 store_exec(st, bump, "migrate", err) < 0 || store_commit(st, err) < 0) {
			store_rollback(st);
			ret = -1;
		}
		g_free(bump);
		if (ret < 0)
			return -1;
	}
	return check_states(st, err);
}
