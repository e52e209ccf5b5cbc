#include "fetcher.h"

#include <pthread.h>
#include <signal.h>

#include <glib.h>

/* What the thread hands over: a message, the end, or the error that stopped it. */
struct result {
	enum { RESULT_MESSAGE, RESULT_END, RESULT_ERROR } kind;
	struct fetched msg;
	struct err err;
};

struct fetcher {
	struct imap *im;  /* borrowed; the thread's alone until fetcher_free */
	struct spool *sp; /* borrowed */
	uint32_t uidvalidity;
	uint32_t *uids;
	bool *too_large;
	size_t n;
	GAsyncQueue *results; /* struct result * */
	gint stop;
	GThread *thread;
	bool ended;
};

static int to_spool(void *writer, const char *data, size_t n, struct err *err)
{
	return spool_writer_write(writer, data, n, err);
}

/* Spools one message. 1: fetched, 0: gone since the search, -1: error. */
static int fetch_one(struct fetcher *f, size_t i, struct result *r)
{
	struct spool_writer *w = NULL;
	int fetched;

	r->msg.uid = f->uids[i];
	r->msg.too_large = f->too_large[i];
	if (spool_writer_new(f->sp, &w, &r->err) < 0)
		return -1;
	fetched = imap_fetch(f->im, f->uidvalidity, r->msg.uid, r->msg.too_large, to_spool, w,
			     &r->err);
	if (fetched == 0)
		fetched = spool_writer_commit(&w, f->sp, f->uidvalidity, r->msg.uid, &r->msg.path,
					      r->msg.sha256, &r->err) < 0
				  ? -1
				  : 1;
	else
		fetched = fetched < 0 ? -1 : 0;
	spool_writer_free(&w);
	return fetched;
}

static gpointer run(gpointer data)
{
	struct fetcher *f = data;
	struct result *end;

	for (size_t i = 0; i < f->n && !g_atomic_int_get(&f->stop); i++) {
		struct result *r = g_new0(struct result, 1);
		int got = fetch_one(f, i, r);

		if (got == 0) {
			g_free(r);
			continue;
		}
		r->kind = got > 0 ? RESULT_MESSAGE : RESULT_ERROR;
		g_async_queue_push(f->results, r);
		if (got < 0)
			return NULL;
	}
	end = g_new0(struct result, 1);
	end->kind = RESULT_END;
	g_async_queue_push(f->results, end);
	return NULL;
}

struct fetcher *fetcher_start(struct imap *im, struct spool *sp, uint32_t uidvalidity,
			      const uint32_t *uids, const bool *too_large, size_t n)
{
	struct fetcher *f = g_new0(struct fetcher, 1);
	sigset_t all, old;

	f->im = im;
	f->sp = sp;
	f->uidvalidity = uidvalidity;
	f->uids = g_memdup2(uids, n * sizeof(*uids));
	f->too_large = g_memdup2(too_large, n * sizeof(*too_large));
	f->n = n;
	f->results = g_async_queue_new();
	/* Signals (SIGTERM, SIGHUP, SIGCHLD of the document worker) stay the main thread's: the
	 * thread starts with all of them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	f->thread = g_thread_new("fetcher", run, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return f;
}

int fetcher_next(struct fetcher *f, struct fetched *f_r, struct err *err)
{
	struct result *r;
	int ret;

	if (f->ended)
		return 0;
	r = g_async_queue_pop(f->results);
	switch (r->kind) {
	case RESULT_MESSAGE:
		*f_r = r->msg;
		ret = 1;
		break;
	case RESULT_ERROR:
		*err = r->err;
		f->ended = true;
		ret = -1;
		break;
	default:
		f->ended = true;
		ret = 0;
	}
	g_free(r);
	return ret;
}

void fetcher_free(struct fetcher **fp)
{
	struct fetcher *f = *fp;
	struct result *r;

	if (f == NULL)
		return;
	g_atomic_int_set(&f->stop, 1);
	g_thread_join(f->thread);
	while ((r = g_async_queue_try_pop(f->results)) != NULL) {
		if (r->kind == RESULT_MESSAGE) {
			spool_remove(r->msg.path);
			g_free(r->msg.path);
		}
		g_free(r);
	}
	g_async_queue_unref(f->results);
	g_free(f->uids);
	g_free(f->too_large);
	g_free(f);
	*fp = NULL;
}
