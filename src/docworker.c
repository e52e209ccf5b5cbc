#include "docworker.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "docworker_proc.h"

static void sniff_in_parent(const struct doc_ref *doc, struct doc_facts *facts)
{
	unsigned char head[1024];
	size_t want = doc->size >= 0 ? (size_t)MIN(doc->size, (gint64)sizeof(head)) : sizeof(head);
	int fd = open(doc->path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, head, want, (off_t)doc->offset) : -1;

	if (fd >= 0)
		close(fd);
	facts->format = docread_sniff(head, n > 0 ? (size_t)n : 0);
	facts->unreadable = n < 0;
}

/* Takes a report from a process that parsed hostile input: checked before it is believed. */
static void accept_report(struct doc_facts *facts, const struct doc_facts *report)
{
	enum doc_format sniffed = facts->format;

	*facts = *report;
	facts->text[sizeof(facts->text) - 1] = '\0';
	if (facts->format > FORMAT_CALENDAR || facts->pages < -1 || facts->pages > 100000)
		facts->format = sniffed, facts->pages = -1, facts->unreadable = true;
	if (!g_utf8_validate(facts->text, -1, NULL))
		facts->text[0] = '\0';
}

/* The request list for docs[0..n), and the files it names (owned paths, opened read-only). */
static GByteArray *requests(const struct doc_ref *docs, const bool *want_text, size_t n,
			    GPtrArray *paths)
{
	GByteArray *out = g_byte_array_new();
	struct docworker_header head = { 0, (uint32_t)n };

	g_byte_array_append(out, (const guint8 *)&head, sizeof(head));
	for (size_t i = 0; i < n; i++) {
		struct docworker_request r = { 0, want_text == NULL || want_text[i], docs[i].offset,
					       docs[i].size };
		guint k = 0;

		while (k < paths->len && strcmp(g_ptr_array_index(paths, k), docs[i].path) != 0)
			k++;
		if (k == paths->len)
			g_ptr_array_add(paths, g_strdup(docs[i].path));
		r.file = k;
		g_byte_array_append(out, (const guint8 *)&r, sizeof(r));
	}
	((struct docworker_header *)(void *)out->data)->files = paths->len;
	return out;
}

/* The worker on docs[0..n): one report (struct doc_facts) for each, in order. */
static int spawn_child(const struct doc_ref *docs, const bool *want_text, size_t n,
		       struct docworker_child *c, struct err *err)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GByteArray *req = requests(docs, want_text, n, paths);
	int ret = docworker_spawn(NULL, paths, req->data, req->len,
				  n * sizeof(struct doc_facts) + 4096, c, err);

	g_byte_array_free(req, TRUE);
	g_ptr_array_free(paths, TRUE);
	return ret;
}

struct docworker_job {
	struct doc_facts *facts; /* borrowed: the caller's, one per document */
	struct doc_ref *todo;	 /* the documents a child must read (PDF, DOCX); paths borrowed */
	bool *todo_text;
	size_t *where; /* todo[k] is docs[where[k]] */
	size_t count;
	bool running; /* a child is at work on all of todo */
	struct docworker_child first;
	gint64 *message_left; /* milliseconds of each message's budget still unspent */
};

/* DOCWORKER_MESSAGE_MS for each message the documents belong to. */
static gint64 *budgets(const struct doc_ref *docs, size_t n)
{
	unsigned top = 0;
	gint64 *left;

	for (size_t i = 0; i < n; i++)
		top = MAX(top, docs[i].message);
	left = g_new(gint64, (gsize)top + 1);
	for (unsigned m = 0; m <= top; m++)
		left[m] = DOCWORKER_MESSAGE_MS;
	return left;
}

/* Takes the child's raw reports of todo[next..next+n) into reports[]: how many came back
 * whole. A crash, a hang or a limit stops it at the first missing one; *slow_r says whether
 * that one ran out of time (its own budget or its message's). */
static size_t collect_child(struct docworker_job *job, struct docworker_child *c, size_t next,
			    size_t n, struct doc_facts *reports, bool *slow_r)
{
	size_t good = 0;

	*slow_r = false;
	for (; good < n; good++) {
		gint64 *left = &job->message_left[job->todo[next + good].message];
		gint64 start = docworker_now_ms(),
		       deadline = start + MIN(DOCWORKER_DOCUMENT_MS, *left);
		struct doc_facts report;
		size_t got = *left > 0 ? docworker_read(c, &report, sizeof(report), deadline) : 0;

		*left -= docworker_now_ms() - start;
		if (got != sizeof(report)) {
			*slow_r = docworker_now_ms() >= deadline;
			c->exiting = !*slow_r;
			break;
		}
		reports[good] = report;
	}
	/* All reports are all we need; the child may still be exiting. Anything else (a hang, a
	 * crash, a limit) ends here. A child that the end of its report found dead of a time
	 * limit was too slow as well. */
	if (docworker_stop(c) && good < n)
		*slow_r = true;
	return good;
}

struct docworker_job *docworker_start(const struct doc_ref *docs, const bool *want_text, size_t n,
				      struct doc_facts *facts, struct err *err)
{
	struct docworker_job *job = g_new0(struct docworker_job, 1);

	job->facts = facts;
	job->todo = g_new0(struct doc_ref, n + 1);
	job->todo_text = g_new0(bool, n + 1);
	job->where = g_new0(size_t, n + 1);
	job->message_left = budgets(docs, n);
	for (size_t i = 0; i < n; i++) {
		memset(&facts[i], 0, sizeof(facts[i]));
		facts[i].pages = -1;
		sniff_in_parent(&docs[i], &facts[i]);
		/* Only the formats we parse need a worker; the others are known by their start. */
		if (!facts[i].unreadable &&
		    (facts[i].format == FORMAT_PDF || facts[i].format == FORMAT_DOCX)) {
			job->todo[job->count] = docs[i];
			job->todo_text[job->count] = want_text == NULL || want_text[i];
			job->where[job->count++] = i;
		}
	}
	if (job->count == 0)
		return job;
	if (spawn_child(job->todo, job->todo_text, job->count, &job->first, err) < 0) {
		docworker_job_free(&job);
		return NULL;
	}
	job->running = true;
	return job;
}

static void mark_unreadable(struct docworker_job *job, size_t k, bool slow)
{
	struct doc_facts *f = &job->facts[job->where[k]];

	f->unreadable = true;
	f->too_slow = slow;
}

/* Accepts the reports of todo[next..next+good) and, when a child stopped short, marks the one
 * that stopped it unreadable, and those after it whose message has spent its budget. Returns
 * where the next child starts. */
static size_t take_reports(struct docworker_job *job, size_t next, const struct doc_facts *got,
			   size_t good, bool slow)
{
	for (size_t k = 0; k < good; k++)
		accept_report(&job->facts[job->where[next + k]], &got[k]);
	next += good;
	if (next < job->count)
		mark_unreadable(job, next++, slow);
	while (next < job->count && job->message_left[job->todo[next].message] <= 0)
		mark_unreadable(job, next++, true);
	return next;
}

int docworker_finish(struct docworker_job **jobp, struct err *err)
{
	struct docworker_job *job = *jobp;
	size_t next = 0;
	int ret = 0;

	if (job->running) {
		struct doc_facts *got = g_new0(struct doc_facts, job->count);
		size_t good;
		bool slow;

		job->running = false;
		good = collect_child(job, &job->first, 0, job->count, got, &slow);
		next = take_reports(job, 0, got, good, slow);
		g_free(got);
	}
	/* When a document killed the child, a fresh one takes the rest. */
	while (ret == 0 && next < job->count) {
		size_t left = job->count - next;
		struct doc_facts *got = g_new0(struct doc_facts, left);
		struct docworker_child c;
		bool slow;

		if (spawn_child(job->todo + next, job->todo_text + next, left, &c, err) < 0) {
			ret = -1;
		} else {
			size_t good = collect_child(job, &c, next, left, got, &slow);

			next = take_reports(job, next, got, good, slow);
		}
		g_free(got);
	}
	docworker_job_free(jobp);
	return ret;
}

void docworker_job_free(struct docworker_job **jobp)
{
	struct docworker_job *job = *jobp;

	if (job == NULL)
		return;
	if (job->running)
		docworker_stop(&job->first);
	g_free(job->todo);
	g_free(job->todo_text);
	g_free(job->where);
	g_free(job->message_left);
	g_free(job);
	*jobp = NULL;
}

int docworker_inspect_many(const struct doc_ref *docs, const bool *want_text, size_t n,
			   struct doc_facts *facts, struct err *err)
{
	struct docworker_job *job = docworker_start(docs, want_text, n, facts, err);

	return job == NULL ? -1 : docworker_finish(&job, err);
}

int docworker_inspect(const struct doc_ref *doc, struct doc_facts *facts, struct err *err)
{
	return docworker_inspect_many(doc, NULL, 1, facts, err);
}
