/* store.h — the sqlite database: schema, migrations and every SQL statement of admitd.
 * Implemented by the store*.c family, one file per section below (named in each section's
 * heading); store_p.h is what they share. No other file includes sqlite3.h.
 *
 * Strings passed in are borrowed. Rows returned (struct app_row, struct outbox_row ...) and
 * their strings belong to the caller; free them with the matching _free function.
 * Errors: store_open gives ERR_CONFIG when the file cannot be opened and ERR_FATAL for a
 * database newer than this build; afterwards every call gives ERR_TEMP (busy, locked, I/O,
 * disk full: try again later) or ERR_FATAL (a broken database, a broken rule). */
#ifndef ADMITD_STORE_H
#define ADMITD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "app_state.h"
#include "err.h"

/* --- store.c: the connection and transactions --- */

struct store;

int store_open(struct store **st_r, const char *path, struct err *err);
void store_close(struct store **stp);
/* Whether commits wait for the disk (synchronous=FULL, the default) or only for the kernel
 * (NORMAL). NORMAL survives a crash of admitd but not of the machine: only for writes whose
 * loss costs a repeat, never a loss (the outbox's sending/sent marks). */
int store_set_durable(struct store *st, bool durable, struct err *err);
/* Inside a transaction: a savepoint for one item, released when it went well or rolled back
 * (keeping the items before it) when it did not. */
int store_savepoint(struct store *st, struct err *err);
int store_release(struct store *st, struct err *err);
void store_rollback_savepoint(struct store *st);
/* One write transaction: BEGIN IMMEDIATE ... COMMIT. Rollback never fails loudly. */
int store_begin(struct store *st, struct err *err);
int store_commit(struct store *st, struct err *err);
void store_rollback(struct store *st);

/* --- store_ledger.c: where we are in each mailbox, and the ledger of every message filed --- */

int store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity_r,
		      uint32_t *last_uid_r, struct err *err); /* 0 and 0 when never seen */
int store_mailbox_set(struct store *st, const char *mailbox, uint32_t uidvalidity,
		      uint32_t last_uid, struct err *err);

struct ledger_entry {
	uint32_t uidvalidity, uid;
	const char *message_id; /* may be NULL */
	const char *sha256;	/* of the raw message */
	const char *spool_path;
	const char *sender;
	const char *raw_from; /* the From header as it came, or NULL */
	const char *subject;
	/* application, followup, inquiry, decision, too-large, duplicate, ignored, quarantined */
	const char *outcome;
	const char *detail;
	int64_t application_id; /* 0: none */
	gint64 received_at;
};

/* Returns 1 and sets *id_r (and *moved_r) when found, 0 when not, -1 on error. */
int store_ledger_find_uid(struct store *st, uint32_t uidvalidity, uint32_t uid, int64_t *id_r,
			  bool *moved_r, struct err *err);
/* The same message already filed: under another UID (a changed UIDVALIDITY), the same
 * Message-ID (or both without one) and raw content hash; or, sent or delivered again, the same
 * Message-ID from the same sender. */
int store_ledger_find_content(struct store *st, const char *message_id, const char *sender,
			      const char *sha256, int64_t *id_r, struct err *err);
int store_ledger_insert(struct store *st, const struct ledger_entry *e, int64_t *id_r,
			struct err *err);
int store_ledger_set_moved(struct store *st, int64_t id, struct err *err);
/* UIDs filed under this UIDVALIDITY but not yet moved on the server (a crash or an outage
 * between commit and move). Appends uint32_t UIDs and int64_t ledger ids. */
int store_ledger_unmoved(struct store *st, uint32_t uidvalidity, GArray *uids, GArray *ids,
			 struct err *err);
/* How many times processing each message crashed admitd (crashmark.h): counts (UID →
 * count, GUINT_TO_POINTER / GINT_TO_POINTER) gets every message with at least one. */
int store_attempts_all(struct store *st, uint32_t uidvalidity, GHashTable *counts, struct err *err);
/* Processing the message crashed admitd once more. */
int store_attempts_add(struct store *st, uint32_t uidvalidity, uint32_t uid, struct err *err);
/* The message is filed: its crashes are forgotten (inside the filing's transaction). */
int store_attempts_clear(struct store *st, uint32_t uidvalidity, uint32_t uid, struct err *err);
/* Whether a commission reply with this Message-ID was already filed as a decision (the same
 * email delivered twice): 1 yes, 0 no, -1 error. */
int store_ledger_has_decision(struct store *st, const char *message_id, struct err *err);

/* --- store_applications.c: applicants, applications, decisions; reading them --- */

int store_applicant_upsert(struct store *st, const char *email, const char *name, gint64 now,
			   int64_t *id_r, struct err *err);
/* The newest application of this applicant that is still under way (APP_UNDER_WAY). Returns
 * 1 and sets *id_r, *ref_r (owned) and *state_r, 0 when none, -1 on error. */
int store_application_find_active(struct store *st, int64_t applicant_id, int64_t *id_r,
				  char **ref_r, enum app_state *state_r, struct err *err);
/* The application under way that one of our letters (by its Message-ID) was about: a reply in
 * the thread from another address still belongs to it. 1 and the fields (owned), 0, or -1. */
int store_application_by_reply(struct store *st, const char *message_id, int64_t *id_r,
			       char **ref_r, enum app_state *state_r, struct err *err);
/* Takes the next number for a reference prefix such as "AI4G-2026"; numbers are never reused. */
int store_reference_next(struct store *st, const char *prefix, int64_t *n_r, struct err *err);

struct app_new {
	const char *ref;
	int64_t applicant_id;
	const char *edition; /* may be NULL */
	enum app_state state;
	int64_t batch_id; /* 0: none */
	const char *problems;
	gint64 received_at, completed_at; /* completed_at 0: not complete */
	const char *thread_message_id;
};

int store_application_insert(struct store *st, const struct app_new *app, gint64 now, int64_t *id_r,
			     struct err *err);
/* Which part of its batch's digest lists the application (digest_parts.h). */
int store_application_set_digest_part(struct store *st, int64_t id, int part, struct err *err);
int store_application_update(struct store *st, int64_t id, enum app_state state, int64_t batch_id,
			     const char *problems, gint64 completed_at, gint64 now,
			     struct err *err);

struct decision_new {
	int64_t application_id;
	const char *decision; /* decision_verdict_name() */
	enum app_state previous_state;
	const char *decided_by, *source_message_id;
	const char *reason; /* as the member wrote it, or NULL */
	bool forced;
};

int store_decision_insert(struct store *st, const struct decision_new *d, gint64 now,
			  struct err *err);
/* Who took the latest decision on the application `ref` and when ("2026-03-02T10:00:00Z"), both owned:
 * 1, or 0 when it has none. */
int store_decision_last(struct store *st, const char *ref, char **by_r, char **at_r,
			struct err *err);
int store_application_set_state(struct store *st, int64_t id, enum app_state state, gint64 now,
				struct err *err);
int store_application_set_edition(struct store *st, int64_t id, const char *edition,
				  struct err *err);

struct doc_row {
	char *kind, *filename, *content_type, *sha256;
	char *path; /* the stored file (a generated name), shared by a message's documents */
	char *format, *problem; /* problem NULL when none */
	gint64 offset, size;	/* the bytes of path that are the document */
	int pages;		/* -1: unknown */
};

struct app_row {
	int64_t id, batch_id; /* batch_id 0: none */
	enum app_state state;
	char *ref, *email, *name, *edition, *received_at, *problems;
	char *thread_message_id; /* the applicant's first message, for threading letters */
	int digest_part;	 /* the part of its batch's digest that lists it (1 for a digest
				  * sent before digests had parts, or none yet) */
	GPtrArray *documents;	 /* of struct doc_row * */
};

struct app_filter {
	bool by_state;	      /* false: any state */
	enum app_state state; /* when by_state */
	const char *ref;      /* NULL: any */
	int64_t batch_id;     /* 0: any */
};

/* Applications, oldest first, with their current documents. */
int store_applications(struct store *st, const struct app_filter *f, GPtrArray **apps_r,
		       struct err *err);
void app_row_free(gpointer row);
void store_doc_row_free(gpointer row); /* a struct doc_row of app_row.documents */
/* The application's first document of `kind` ("letter", "cv"), borrowed, or NULL. */
const struct doc_row *app_row_document(const struct app_row *a, const char *kind);
/* Counts for status: applications by state (GHashTable char * → GINT_TO_POINTER), outbox by
 * state in the same table under "outbox:queued" etc., messages by outcome under
 * "messages:quarantined" etc. */
int store_counts(struct store *st, GHashTable **counts_r, struct err *err);

/* --- store_documents.c: documents --- */

struct doc_new {
	const char *kind, *filename, *content_type, *sha256, *path;
	const char *format;  /* "pdf", "docx" ... (docread_format_name) */
	const char *problem; /* NULL, "unreadable-document" or "unsupported-format" */
	gint64 offset, size; /* the bytes of path that are the document */
	int pages;	     /* -1: unknown */
	bool superseded;     /* kept for the record only (arrived after the review began) */
};

int store_document_insert(struct store *st, int64_t application_id, int64_t message_row,
			  const struct doc_new *doc, gint64 now, struct err *err);
/* Marks the application's current documents of `kind` as replaced (they stay in the store). */
/* 1 when the application holds, not superseded, a document of `kind` and/or with these bytes
 * (NULL: any); 0 when not. */
int store_document_current(struct store *st, int64_t application_id, const char *kind,
			   const char *sha256, struct err *err);
int store_documents_supersede(struct store *st, int64_t application_id, const char *kind,
			      struct err *err);

/* --- store_batches.c: batches --- */

/* The open batch of the window opens..closes (dates "YYYY-MM-DD"), made when missing. */
int store_batch_for_window(struct store *st, const char *opens, const char *closes, int64_t *id_r,
			   struct err *err);
/* Open batches whose window ended on or before `today` ("YYYY-MM-DD"), oldest first. */
int store_batches_due(struct store *st, const char *today, GArray *ids, struct err *err);
/* The open batch whose window holds `day`: 1 and *id_r, or 0. */
int store_batch_open_for_day(struct store *st, const char *day, int64_t *id_r, struct err *err);

struct batch_row {
	int64_t id;
	char *opens_on, *closes_on, *state, *token, *digest_message_id, *closed_at, *reminded_at;
	int applications; /* all applications in the batch */
	int undecided;	  /* pending or in_review */
	int digest_round; /* 0, then one more for each `admitctl batch resend` */
};

/* One batch: 1 and *b filled (release with batch_row_clear), 0 when absent. */
int store_batch_get(struct store *st, int64_t id, struct batch_row *b, struct err *err);
int store_batches(struct store *st, GPtrArray **rows_r, struct err *err);
void batch_row_free(gpointer row);
void batch_row_clear(struct batch_row *b);
/* open → closed, once: closing a batch that is not open is ERR_FATAL. */
int store_batch_close(struct store *st, int64_t id, const char *token, const char *digest_mid,
		      gint64 now, struct err *err);
/* Its pending applications go in_review. */
int store_batch_start_review(struct store *st, int64_t id, gint64 now, struct err *err);
int store_batch_by_token(struct store *st, const char *token, int64_t *id_r, struct err *err);
/* Before a batch's digest is sent again: its failed digest and reminder emails are
 * superseded, those still waiting are withdrawn (failed and superseded: the new round lists
 * their applications again), and its digest_round grows by one. */
int store_batch_new_round(struct store *st, const struct batch_row *b, gint64 now, struct err *err);
/* How many parts the batch's digest had (digest_parts.h): 1 at least. */
int store_batch_parts(struct store *st, int64_t id, int *parts_r, struct err *err);
/* When every application of the batch has been decided (none undecided): 1 and *at_r, the
 * moment of its last decision (its close when it had none to decide); 0 while some wait. */
int store_batch_decided_at(struct store *st, int64_t id, gint64 *at_r, struct err *err);
/* Closed batches not yet reminded, closed at or before `closed_before`, still undecided. */
int store_batches_to_remind(struct store *st, gint64 closed_before, GArray *ids, struct err *err);
int store_batch_set_reminded(struct store *st, int64_t id, gint64 now, struct err *err);

/* --- store_outbox.c: the outbox --- */

struct outbox_new {
	int64_t application_id; /* 0: none */
	const char *template_name, *to_addr, *message_id;
	const void *message;
	size_t message_len;
};

int store_outbox_insert(struct store *st, const struct outbox_new *m, gint64 now, struct err *err);

struct outbox_row {
	int64_t id;
	char *ref; /* NULL when not about one application */
	char *to_addr, *template_name, *state, *message_id, *last_error, *next_attempt_at;
	int attempts;
};

/* Rows to send now: queued (or left sending by a crash) and due. A row whose body was erased
 * is failed by then (gdpr_erase withdraws it, store_outbox_mark keeps it so). */
int store_outbox_due(struct store *st, gint64 now, GPtrArray **rows_r, struct err *err);
/* All rows, or those of one application when ref is not NULL. */
int store_outbox_list(struct store *st, const char *ref, GPtrArray **rows_r, struct err *err);
/* The outcome of one attempt. A row whose body was erased meanwhile (withdrawn) changes only
 * to 'sent'. */
int store_outbox_mark(struct store *st, int64_t id, const char *state, int attempts,
		      gint64 next_attempt_at, const char *last_error, gint64 now, struct err *err);
void outbox_row_free(gpointer row);
/* A delivery report for our message_id: the sent row becomes failed (reason kept) and its
 * recipient is marked undeliverable. Returns how many rows changed (0: not ours), or -1. */
int store_outbox_bounce(struct store *st, const char *message_id, const char *reason, gint64 now,
			struct err *err);
/* Automatic replies (not decision letters or digests) queued since `since`, to one address
 * or (to_addr NULL) in all: the rate limits' count. */
int store_outbox_count_since(struct store *st, const char *to_addr, gint64 since, int *count_r,
			     struct err *err);
/* The bytes of one outbox letter (owned), for an export. */
int store_outbox_message(struct store *st, int64_t id, GBytes **bytes_r, struct err *err);
/* The message we queued with this Message-ID (owned): 1, or 0 when it is not ours. */
int store_outbox_by_message_id(struct store *st, const char *message_id, GBytes **bytes_r,
			       struct err *err);
/* Rows of one template to one address queued since `since`. */
int store_outbox_count_template(struct store *st, const char *template_name, const char *to_addr,
				gint64 since, int *count_r, struct err *err);
/* Failed rows that need the office (STORE_OUTBOX_ATTENTION in store_p.h): what the
 * commission never got, and anything refused for its size. */
int store_outbox_attention(struct store *st, GPtrArray **rows_r, struct err *err);
/* Failed rows the office has not been told about yet; then mark each told. */
int store_outbox_untold_failures(struct store *st, GPtrArray **rows_r, struct err *err);
int store_outbox_set_told(struct store *st, int64_t id, struct err *err);
/* Every queued row waiting for a later attempt becomes due now (the login that failed them
 * works again). */
int store_outbox_due_now(struct store *st, gint64 now, int *count_r, struct err *err);
/* Failed rows of one application back to queued, due now (admitctl resend). */
int store_outbox_requeue(struct store *st, const char *ref, gint64 now, int *count_r,
			 struct err *err);

/* --- store_quarantine.c: quarantined messages (quarantine.h) --- */
struct quarantine_row {
	int64_t id;
	uint32_t uidvalidity, uid;
	char *sha256, *spool_path, *raw_from, *subject, *reason, *received_at, *outcome;
};
void quarantine_row_free(gpointer row);
/* Oldest first. */
int store_quarantine_list(struct store *st, GPtrArray **rows_r, struct err *err);
/* The ledger row `id`, whatever its outcome: 1 and *row_r (quarantine_row_free), 0, or -1. */
int store_ledger_row(struct store *st, int64_t id, struct quarantine_row **row_r, struct err *err);
/* Removes ledger row `id`, inside the transaction that files its message again. */
int store_ledger_delete(struct store *st, int64_t id, struct err *err);
/* Which row a released message was filed under (1, 0 when `old_row` was never released). */
int store_release_record(struct store *st, int64_t old_row, int64_t new_row, gint64 now,
			 struct err *err);
int store_release_find(struct store *st, int64_t old_row, int64_t *new_row_r, char **released_at_r,
		       struct err *err);

/* --- store_pending.c: changes waiting for the applicant's confirmation (confirm.h) --- */
struct pending_change {
	int64_t id, application_id;
	int64_t message_row;		/* the ledger row whose documents wait */
	const char *address;		/* who must confirm (borrowed when inserting) */
	char *name;			/* a new display name, or NULL; owned when found */
	const char *confirm_message_id; /* our letter that asks (borrowed) */
};
/* 1 when we sent (state sent) the letter `message_id` to `to_addr`; 0 when not. */
int store_outbox_sent_to(struct store *st, const char *message_id, const char *to_addr,
			 struct err *err);
int store_applicant_rename(struct store *st, int64_t applicant_id, const char *name,
			   struct err *err);
int store_pending_insert(struct store *st, const struct pending_change *p, gint64 now,
			 struct err *err);
/* The waiting change of the application that our letter confirm_message_id asked `address`
 * to confirm: 1 and *p filled (g_free p->name), 0 when there is none. */
int store_pending_find(struct store *st, int64_t application_id, const char *confirm_message_id,
		       const char *address, struct pending_change *p, struct err *err);
/* Its documents replace the current ones of their kinds; it is marked applied. */
int store_pending_apply(struct store *st, const struct pending_change *p, struct err *err);

/* --- store_events.c: the audit trail and named facts --- */

int store_event_add(struct store *st, int64_t application_id, const char *kind, const char *detail,
		    gint64 now, struct err *err);
/* Small named facts for `admitctl status`: last_poll, last_error ... */
int store_state_set(struct store *st, const char *key, const char *value, struct err *err);
int store_state_get(struct store *st, const char *key, char **value_r, struct err *err);
int store_state_increment(struct store *st, const char *key, struct err *err);
/* Events of `kind` at or after `since`, about any application or none: "AT  DETAIL" strings,
 * oldest first. */
int store_events_since(struct store *st, const char *kind, gint64 since, GPtrArray **lines_r,
		       struct err *err);
/* The audit trail of one application: array of "AT KIND DETAIL" strings. */
int store_history(struct store *st, const char *ref, GPtrArray **lines_r, struct err *err);

/* --- store_person.c: everything about one person (by email) --- */

enum person_query {
	PERSON_APPLICANT,    /* email, name, created_at, undeliverable_at */
	PERSON_APPLICATIONS, /* ref, state, edition, received_at, problems */
	PERSON_DOCUMENTS,    /* ref, kind, filename, content_type, size, pages, sha256, offset,
			      * path */
	PERSON_MESSAGES,     /* received_at, message_id, raw_from, subject, outcome, spool_path */
	PERSON_LETTERS,	     /* created_at, template, state, message_id, sent_at, id */
	PERSON_EVENTS,	     /* at, ref, kind, detail */
	PERSON_DECISIONS,    /* ref, decision, decided_by, reason, created_at */
	PERSON_PENDING,	     /* ref, address, name, created_at, state */
};
/* Rows of one query: each row a GPtrArray of its column values (char *, NULL for SQL NULL),
 * in the order of store_person_columns(); free with g_ptr_array_free(rows, TRUE). */
int store_person_rows(struct store *st, enum person_query q, const char *email, GPtrArray **rows_r,
		      struct err *err);
const char *const *store_person_columns(enum person_query q);
/* Erases a person inside the caller's transaction: documents rows deleted, messages, letters
 * and events stripped of content, the applicant pseudonymised; each application keeps its
 * reference, state and dates, and gets a "gdpr-erased" event. Paths of the files to delete
 * are appended to `files` (char *, owned). */
struct person_erased {
	int applications, documents, messages, letters, events, decisions, pending;
	int withdrawn; /* of the applications: those still under way, now withdrawn */
};
/* The erasure event's detail names no person: "sha256:<hex of the lower-case address>", which
 * the office can match against the request. */
int store_person_erase(struct store *st, const char *email, const char *hash, gint64 now,
		       GPtrArray *files, struct person_erased *erased, struct err *err);

/* Mail that may name a person without being theirs (gdpr.c reads the bodies): ids of the
 * outbox rows about no application (to the commission or office) that were sent (or failed)
 * and still have a body, and of the spooled commission replies of other senders (they quote
 * the digest). */
int store_outbox_others(struct store *st, const char *email, GArray *ids, struct err *err);
int store_ledger_others_spooled(struct store *st, const char *email, GArray *ids, GPtrArray *paths,
				struct err *err);
/* Inside the erasure's transaction: the body of outbox row `id` is emptied, and a letter still
 * waiting to be sent is withdrawn (failed, superseded): 1 when it was waiting, 0 when it was
 * sent or had failed. The spooled copy of ledger row `id` is forgotten (its file goes with the
 * commit) and its subject cleared. */
int store_outbox_erase_body(struct store *st, int64_t id, gint64 now, struct err *err);
/* 1 and *batch_id_r when outbox row `id` is a batch's digest or reminder, 0 when not. */
int store_outbox_batch_of(struct store *st, int64_t id, int64_t *batch_id_r, struct err *err);
int store_ledger_unspool(struct store *st, int64_t id, struct err *err);

/* After an erasure: the WAL checkpointed and truncated, and the file vacuumed, so that no
 * freed page keeps a byte of what was erased (secure_delete zeroes them in the meantime). */
int store_compact(struct store *st, struct err *err);

/* --- store_retention.c: retention --- */

/* Mail of `outcome` (inquiry, ignored ...) that belongs to no application, received at or
 * before `before`, whose raw copy is still spooled; at most 500 at a time. */
struct message_due {
	int64_t id;
	uint32_t uidvalidity, uid;
	char *spool_path; /* owned */
};
int store_messages_due(struct store *st, const char *outcome, gint64 before, GArray *rows,
		       struct err *err);
/* Inside the purge's transaction: its raw copy forgotten, and who sent it and what it said. */
int store_message_purge(struct store *st, int64_t id, struct err *err);
/* Bodies of letters sent at or before `before` emptied (the rows stay); *count_r of them. */
int store_letters_purge(struct store *st, gint64 before, int *count_r, struct err *err);
/* "inquiry  3  oldest 2026-…" per outcome of what the spool still holds, for status. */
int store_spool_oldest(struct store *st, GPtrArray **rows_r, struct err *err);

/* Applications in `state` last changed at or before `before` and not yet purged. */
int store_retention_due(struct store *st, enum app_state state, gint64 before, GArray *ids,
			struct err *err);
/* Inside the caller's transaction: the application's documents and raw messages lose their
 * files (paths appended to `files`, owned, for the caller to delete), it is marked purged and
 * the purge recorded as an event. */
int store_application_purge(struct store *st, int64_t id, gint64 now, GPtrArray *files,
			    struct err *err);

#endif
