/* admitd-docread — the document worker program: reads the untrusted documents admitd hands it
 * and reports what each is (docread.h). admitd starts it (docworker.c) with an empty
 * environment and nothing open but stdin (the list of documents, struct docworker_request),
 * stdout (one struct doc_facts per document, in order), stderr (admitd's log) and, from fd 3,
 * the files that hold the documents, read-only. It holds no database, no socket, no password.
 * Here it sheds what else it could do: address space, CPU, open files, file writes, core
 * dumps, new privileges, and every system call that reading does not need (docread_filter.h).
 * A document that hangs or crashes it costs only that document. --dossier merges a digest
 * part's PDFs (dossier_merge.h), --tnef opens a winmail.dat (tnef_extract.h). */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>

#include "docread.h"
#include "docread_filter.h"
#include "docworker.h"
#include "dossier_merge.h"
#include "fdio.h"
#include "testhook.h"
#include "tnef_extract.h"

#define WORKER_CPU_SECONDS 10
#define WORKER_FILES	   64

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature: ASan reserves terabytes of address
 * space, so those builds go without the address-space limit. */
#if defined(__SANITIZE_ADDRESS__)
#define ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADDRESS_SANITIZER 1
#endif
#endif
#ifndef ADDRESS_SANITIZER
#define ADDRESS_SANITIZER 0
#endif

static void limit(int resource, rlim_t value)
{
	struct rlimit rl = { value, value };

	setrlimit(resource, &rl);
}

/* The limits and the filter, once the documents are open and the list is read. */
static int shed(size_t n)
{
	struct err err = { 0 };

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Library caches (fontconfig) may try to write: fail the write, not the worker. */
	signal(SIGXFSZ, SIG_IGN);
#if !ADDRESS_SANITIZER
	limit(RLIMIT_AS, DOCWORKER_MEMORY);
#endif
	limit(RLIMIT_CPU, (rlim_t)(WORKER_CPU_SECONDS * MAX(n, 1)));
	limit(RLIMIT_CORE, 0);
	limit(RLIMIT_FSIZE, 0);
	limit(RLIMIT_NOFILE, WORKER_FILES);
	if (docread_filter_install(&err) < 0) {
		fprintf(stderr, "admitd-docread: %s\n", err.text);
		return -1;
	}
	return 0;
}

/* Tests prove the filter by making the worker do what an exploit would: open a socket
 * (ADMITD_TEST_FAULT=docread-syscall). */
static void forbidden_call(void)
{
	if (testhook_fault("docread-syscall") && socket(AF_INET, SOCK_STREAM, 0) >= 0)
		fprintf(stderr, "admitd-docread: the filter let a socket through\n");
}

/* admitd-docread --dossier: the request (dossier_merge.h), its length first. */
static int dossier(void)
{
	guint64 len = 0;
	guint8 *buf;
	GVariant *request, *applicants;
	size_t docs;
	int ret;

	if (fdio_read_all(STDIN_FILENO, &len, sizeof(len)) < 0 || len > DOSSIER_REQUEST_MAX)
		return 2;
	buf = g_malloc(len + 1);
	if (fdio_read_all(STDIN_FILENO, buf, len) < 0)
		return 2;
	/* Not trusted: GVariant checks the framing as it reads. */
	request = g_variant_new_from_data(G_VARIANT_TYPE(DOSSIER_REQUEST_TYPE), buf, len, FALSE,
					  g_free, buf);
	g_variant_ref_sink(request);
	/* The CPU limit counts a letter and a CV per applicant, and the cover. */
	applicants = g_variant_get_child_value(request, 1);
	docs = 2 * g_variant_n_children(applicants) + 1;
	g_variant_unref(applicants);
	if (shed(docs) < 0)
		return 2;
	forbidden_call();
	ret = dossier_merge(request, STDOUT_FILENO);
	g_variant_unref(request);
	_exit(ret < 0 ? 1 : 0);
}

/* admitd-docread --tnef: a struct tnef_request, the stream at DOCWORKER_FIRST_FD. libytnef
 * printf()s its complaints: glibc's stdout stream is pointed at stderr (our log), so they
 * cannot mix into the report, which is written to fd 1 directly. */
static int tnef(void)
{
	struct tnef_request req;
	int ret;

	if (fdio_read_all(STDIN_FILENO, &req, sizeof(req)) < 0)
		return 2;
	stdout = stderr;
	if (shed(1) < 0)
		return 2;
	forbidden_call();
	alarm(DOCWORKER_DOCUMENT_MS / 1000 + 1);
	ret = tnef_extract(DOCWORKER_FIRST_FD, &req, STDOUT_FILENO);
	fflush(stderr);
	_exit(ret == 0 ? 0 : ret == 1 ? 3 : 1);
}

int main(int argc, char **argv)
{
	struct docworker_header head;
	struct docworker_request *reqs;

	if (argc > 1 && strcmp(argv[1], "--dossier") == 0)
		return dossier();
	if (argc > 1 && strcmp(argv[1], "--tnef") == 0)
		return tnef();
	if (fdio_read_all(STDIN_FILENO, &head, sizeof(head)) < 0 ||
	    head.docs > DOCWORKER_DOCS_MAX || head.files > DOCWORKER_DOCS_MAX)
		return 2;
	reqs = g_new0(struct docworker_request, head.docs + 1);
	if (fdio_read_all(STDIN_FILENO, reqs, head.docs * sizeof(*reqs)) < 0)
		return 2;
	if (shed(head.docs) < 0)
		return 2;
	forbidden_call();
	for (uint32_t i = 0; i < head.docs; i++) {
		struct doc_facts facts;

		alarm(DOCWORKER_DOCUMENT_MS / 1000 + 1);
		/* Tests hang a document here to spend its budget (ADMITD_TEST_PAUSE=docread). */
		testhook_pause("docread", NULL);
		if (reqs[i].file >= head.files) {
			memset(&facts, 0, sizeof(facts));
			facts.pages = -1;
			facts.unreadable = true;
		} else {
			docread_fd(DOCWORKER_FIRST_FD + (int)reqs[i].file, reqs[i].offset,
				   reqs[i].size, reqs[i].want_text != 0, &facts);
		}
		if (fdio_write_all(STDOUT_FILENO, &facts, sizeof(facts)) < 0)
			_exit(1);
	}
	_exit(0);
}
