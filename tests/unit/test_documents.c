/* CV and letter recognition by file name, case by case. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "documents.h"
#include "docworker.h"

struct name_case {
	const char *filename;
	enum doc_kind kind;
};

static const struct name_case cases[] = {
	{ "CV.pdf", DOC_CV },
	{ "cv_jose_garcia_2026.pdf", DOC_CV },
	{ "MyCV.PDF", DOC_CV },
	{ "Currículum Vítae José García.pdf", DOC_CV },
	{ "curriculum-vitae.docx", DOC_CV },
	{ "Résumé - Jane Doe.pdf", DOC_CV },
	{ "resume.pdf", DOC_CV },
	{ "Lebenslauf_Müller.pdf", DOC_CV },
	{ "elulookirjeldus.pdf", DOC_CV },
	{ "Hoja de vida.pdf", DOC_CV },
	{ "CV2026.pdf", DOC_CV },
	{ "Motivation letter.pdf", DOC_LETTER },
	{ "cover_letter.pdf", DOC_LETTER },
	{ "Letter of interest - AI4Gov.pdf", DOC_LETTER },
	{ "lettera di motivazione.pdf", DOC_LETTER },
	{ "Carta de motivación.PDF", DOC_LETTER },
	{ "lettre de motivation.odt", DOC_LETTER },
	{ "Motivationsschreiben.docx", DOC_LETTER },
	{ "Anschreiben.pdf", DOC_LETTER },
	{ "motivatsioonikiri.pdf", DOC_LETTER },
	{ "Statement of purpose.pdf", DOC_LETTER },
	{ "document1.pdf", DOC_OTHER },
	{ "scan.pdf", DOC_OTHER },
	{ "photo.jpg", DOC_OTHER },
	{ "cv_letter.pdf", DOC_OTHER }, /* both: undecided */
	{ "", DOC_OTHER },
	{ NULL, DOC_OTHER },
	{ "\xff\xfe broken utf-8 cv.pdf", DOC_OTHER },
};

static void test_classify_names(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		enum doc_kind got = documents_classify_name(cases[i].filename);

		ROW_CHECK(failures, got == cases[i].kind, "\"%s\": expected %s, got %s",
			  cases[i].filename ? cases[i].filename : "(null)",
			  documents_kind_name(cases[i].kind), documents_kind_name(got));
	}
	assert_int_equal(failures, 0);
}

struct text_case {
	const char *text;
	int pages;
	enum doc_kind kind;
};

static const struct text_case text_cases[] = {
	{ "Curriculum Vitae\nEducation\nWork experience\nSkills", 2, DOC_CV },
	{ "JANE DOE\nEducation: MSc\nProfessional experience: 2019-2025\nLanguages", 1, DOC_CV },
	{ "Formación académica\nExperiencia profesional\nIdiomas", 2, DOC_CV },
	{ "Ausbildung\nBerufserfahrung\nKenntnisse", 2, DOC_CV },
	{ "Haridus\nTöökogemus", 1, DOC_CV },
	{ "Dear members of the commission,\nI am writing to express my interest", 1, DOC_LETTER },
	{ "Estimados miembros de la comisión:\nLes escribo", 1, DOC_LETTER },
	{ "Egregi membri della commissione,\nCordiali saluti", 1, DOC_LETTER },
	{ "Sehr geehrte Damen und Herren,\nMit freundlichen Grüßen", 1, DOC_LETTER },
	{ "Lugupeetud komisjon", 1, DOC_LETTER },
	/* A one-page letter that mentions the writer's experience is still a letter. */
	{ "Dear commission,\nmy experience in public administration and my skills", 1, DOC_LETTER },
	{ "Invoice 2026-001\nTotal: 120 EUR", 1, DOC_OTHER },
	{ "", 1, DOC_OTHER },
	{ NULL, -1, DOC_OTHER },
};

static void test_classify_text(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(text_cases); i++) {
		enum doc_kind got = documents_classify_text(text_cases[i].text,
							    text_cases[i].pages);

		ROW_CHECK(failures, got == text_cases[i].kind, "\"%s\": expected %s, got %s",
			  text_cases[i].text ? text_cases[i].text : "(null)",
			  documents_kind_name(text_cases[i].kind), documents_kind_name(got));
	}
	assert_int_equal(failures, 0);
}

/* The name wins over the text; the text decides when the name says nothing. */
static void test_classify_name_then_text(void **state)
{
	struct doc_facts facts = { .format = FORMAT_PDF, .pages = 1 };

	(void)state;
	g_strlcpy(facts.text, "Dear commission, I am writing", sizeof(facts.text));
	assert_int_equal(documents_classify("CV.pdf", &facts), DOC_CV);
	assert_int_equal(documents_classify("scan.pdf", &facts), DOC_LETTER);
	assert_int_equal(documents_classify("scan.pdf", NULL), DOC_OTHER);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_int_equal(docread_sniff((const unsigned char *)"%PDF-1.7", 8), FORMAT_PDF);
	assert_int_equal(docread_sniff((const unsigned char *)"\n\n%PDF-1.4", 11), FORMAT_PDF);
	assert_int_equal(docread_sniff((const unsigned char *)"PK\x03\x04rest", 8), FORMAT_DOCX);
	assert_int_equal(docread_sniff((const unsigned char *)"{\\rtf1", 6), FORMAT_RTF);
	assert_int_equal(docread_sniff((const unsigned char *)"\xFF\xD8\xFF\xE0", 4), FORMAT_IMAGE);
	assert_int_equal(docread_sniff((const unsigned char *)"hello", 5), FORMAT_UNKNOWN);
	assert_int_equal(docread_sniff(NULL, 0), FORMAT_UNKNOWN);
}

/* The worker survives what it cannot read and reports it. */
static void test_worker_on_bad_input(void **state)
{
	char *dir = test_tmpdir();
	char *garbage = test_write_file(dir, "x.pdf", "%PDF-1.4 this is not a PDF");
	char *cv = test_fixture("docs-cv.pdf");
	struct doc_ref bad = { garbage, 0, -1, 0 }, gone = { "/nonexistent.pdf", 0, -1, 0 };
	struct doc_ref good = { cv, 0, -1, 0 }, beyond = { cv, 0, 1 << 30, 0 };
	struct doc_facts facts;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(docworker_inspect(&bad, &facts, &err), 0);
	assert_int_equal(facts.format, FORMAT_PDF);
	assert_true(facts.unreadable);
	assert_int_equal(docworker_inspect(&gone, &facts, &err), 0);
	assert_true(facts.unreadable);
	/* A range past the end of its file (a truncated spool) is unreadable, not read short. */
	assert_int_equal(docworker_inspect(&beyond, &facts, &err), 0);
	assert_true(facts.unreadable);
	assert_int_equal(docworker_inspect(&good, &facts, &err), 0);
	assert_false(facts.unreadable);
	assert_int_equal(facts.pages, 2);
	assert_non_null(strstr(facts.text, "Curriculum Vitae"));
	g_free(garbage);
	g_free(cv);
	g_free(dir);
}

/* Several documents in one worker: each gets its own report, in order; the text only where it
 * is wanted, the pages always. */
static void test_worker_many(void **state)
{
	char *cv = test_fixture("docs-cv.pdf"), *letter = test_fixture("docs-letter.pdf");
	const struct doc_ref docs[] = { { cv, 0, -1, 0 },
					{ "/nonexistent.pdf", 0, -1, 0 },
					{ letter, 0, -1, 0 },
					{ letter, 0, -1, 0 } };
	const bool want_text[] = { false, true, true, false };
	struct doc_facts facts[4];
	struct err err = { 0 };

	(void)state;
	assert_int_equal(docworker_inspect_many(docs, want_text, 4, facts, &err), 0);
	assert_int_equal(facts[0].pages, 2);
	assert_string_equal(facts[0].text, "");
	assert_true(facts[1].unreadable);
	assert_int_equal(facts[2].pages, 1);
	assert_non_null(strstr(facts[2].text, "academic commission"));
	assert_int_equal(facts[3].pages, 1);
	assert_false(facts[3].unreadable);
	assert_string_equal(facts[3].text, "");
	g_free(cv);
	g_free(letter);
}

/* A message's attachments share one file: each document is its own byte range of it. */
static void test_worker_reads_ranges(void **state)
{
	char *cv = test_fixture("docs-cv.pdf"), *letter = test_fixture("docs-letter.pdf");
	char *dir = test_tmpdir(), *a = NULL, *b = NULL, *both;
	gsize a_len = 0, b_len = 0;
	GString *parts = g_string_new(NULL);
	struct doc_facts facts[2];
	struct err err = { 0 };

	(void)state;
	assert_true(g_file_get_contents(letter, &a, &a_len, NULL));
	assert_true(g_file_get_contents(cv, &b, &b_len, NULL));
	g_string_append_len(parts, a, (gssize)a_len);
	g_string_append_len(parts, b, (gssize)b_len);
	both = test_write_file(dir, "m.parts", "");
	assert_true(g_file_set_contents(both, parts->str, (gssize)parts->len, NULL));
	{
		const struct doc_ref docs[] = { { both, 0, (gint64)a_len, 0 },
						{ both, (gint64)a_len, (gint64)b_len, 0 } };

		assert_int_equal(docworker_inspect_many(docs, NULL, 2, facts, &err), 0);
	}
	assert_int_equal(facts[0].format, FORMAT_PDF);
	assert_int_equal(facts[0].pages, 1);
	assert_non_null(strstr(facts[0].text, "academic commission"));
	assert_int_equal(facts[1].format, FORMAT_PDF);
	assert_int_equal(facts[1].pages, 2);
	assert_non_null(strstr(facts[1].text, "Curriculum Vitae"));
	g_string_free(parts, TRUE);
	g_free(a);
	g_free(b);
	g_free(both);
	g_free(cv);
	g_free(letter);
	g_free(dir);
}

/* Started, then finished later or dropped unfinished: the same reports, and no child left. */
static void test_worker_in_two_steps(void **state)
{
	char *cv = test_fixture("docs-cv.pdf"), *letter = test_fixture("docs-letter.pdf");
	const struct doc_ref docs[] = { { cv, 0, -1, 0 }, { letter, 0, -1, 0 } };
	struct doc_facts facts[2];
	struct err err = { 0 };
	struct docworker_job *job = docworker_start(docs, NULL, 2, facts, &err);

	(void)state;
	assert_non_null(job);
	assert_int_equal(docworker_finish(&job, &err), 0);
	assert_null(job);
	assert_int_equal(facts[0].pages, 2);
	assert_int_equal(facts[1].pages, 1);
	job = docworker_start(docs, NULL, 2, facts, &err);
	assert_non_null(job);
	docworker_job_free(&job);
	assert_null(job);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	g_free(cv);
	g_free(letter);
}

/* The documents an attacker would send (tests/hostile/make-hostile-docs.py): each ends within
 * its budget as unreadable (too slow when it was), or with its right page count; none takes
 * the worker past its memory cap into anything else. */
static void test_hostile_documents(void **state)
{
	static const struct {
		const char *name;
		bool text;
		int unreadable, too_slow; /* 1, 0, or -1: either */
		int pages;		  /* when it was read */
	} rows[] = {
		/* poppler's text of 10^8 draws fills the 256 MB cap at about the time its 10 s
		 * run out: unreadable, for the one or the other. */
		{ "nested-xobjects.pdf", true, 1, -1, -1 },
		/* qpdf copies the repeated page: the 256 MB cap stops it; in sanitizer builds (no
		 * address-space cap: ASan reserves terabytes) it is read within about its 10 s,
		 * or not. */
		{ "many-pages.pdf", false, -1, -1, 100000 },
		/* A member over 8 MB inflated is not read at all (docread.c ZIP_MEMBER_MAX). */
		{ "zip-bomb.docx", true, 0, 0, -1 },
		/* libxml2 stops at its depth limit: no text, at once. */
		{ "deep-xml.docx", true, 0, 0, -1 },
	};
	char *dir = test_tmpdir();
	char *script = g_build_filename(TEST_SOURCE_DIR, "hostile", "make-hostile-docs.py", NULL);
	char *argv[] = { "/usr/bin/python3", script, dir, NULL };
	gint status = 0;

	(void)state;
	assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
				 NULL));
	assert_int_equal(status, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		char *path = g_build_filename(dir, rows[i].name, NULL);
		/* Each its own message, so that each has the whole message budget. */
		struct doc_ref doc = { path, 0, -1, (unsigned)i };
		struct doc_facts facts;
		struct err err = { 0 };
		gint64 start = g_get_monotonic_time();

		assert_int_equal(docworker_inspect_many(&doc, &rows[i].text, 1, &facts, &err), 0);
		gint64 ms = (g_get_monotonic_time() - start) / 1000;
		printf("# %s: %" G_GINT64_FORMAT " ms, unreadable=%d too_slow=%d pages=%d\n",
		       rows[i].name, ms, facts.unreadable, facts.too_slow, facts.pages);
		if ((rows[i].unreadable >= 0 && facts.unreadable != rows[i].unreadable) ||
		    (rows[i].too_slow >= 0 && facts.too_slow != rows[i].too_slow) ||
		    (!facts.unreadable && facts.pages != rows[i].pages))
			fail_msg("%s: unreadable=%d too_slow=%d pages=%d", rows[i].name,
				 facts.unreadable, facts.too_slow, facts.pages);
		assert_true(ms < DOCWORKER_DOCUMENT_MS + 2000);
		g_free(path);
	}
	g_free(script);
	g_free(dir);
}

/* The budgets: four documents of one message that each hang (a test hook in the worker) cost
 * the message 30 s, not 40: the first three spend it, the fourth is not read; all four are
 * unreadable and too slow. */
static void test_message_budget(void **state)
{
	char *cv = test_fixture("docs-cv.pdf");
	const struct doc_ref docs[] = {
		{ cv, 0, -1, 7 }, { cv, 0, -1, 7 }, { cv, 0, -1, 7 }, { cv, 0, -1, 7 }
	};
	struct doc_facts facts[4];
	struct err err = { 0 };
	gint64 start = g_get_monotonic_time(), ms;

	(void)state;
	g_setenv("ADMITD_TEST_PAUSE", "docread", TRUE);
	assert_int_equal(docworker_inspect_many(docs, NULL, 4, facts, &err), 0);
	g_unsetenv("ADMITD_TEST_PAUSE");
	ms = (g_get_monotonic_time() - start) / 1000;
	printf("# four hanging documents of one message: %" G_GINT64_FORMAT " ms\n", ms);
	for (int i = 0; i < 4; i++) {
		assert_true(facts[i].unreadable);
		assert_true(facts[i].too_slow);
	}
	assert_true(ms >= DOCWORKER_MESSAGE_MS - 500 && ms < DOCWORKER_MESSAGE_MS + 3000);
	/* A document of another message still has its own budget, and is read. */
	assert_int_equal(docworker_inspect(&docs[0], &facts[0], &err), 0);
	assert_false(facts[0].unreadable);
	assert_int_equal(facts[0].pages, 2);
	g_free(cv);
}

/* The pid of our child running admitd-docread, or 0. */
static pid_t worker_pid(void)
{
	GDir *proc = g_dir_open("/proc", 0, NULL);
	const char *name;
	pid_t found = 0;

	while (proc != NULL && found == 0 && (name = g_dir_read_name(proc)) != NULL) {
		char *path = g_build_filename("/proc", name, "stat", NULL), *stat = NULL;
		char *close_paren;

		if (g_file_get_contents(path, &stat, NULL, NULL) &&
		    strstr(stat, "(admitd-docread)") != NULL &&
		    (close_paren = strrchr(stat, ')')) != NULL) {
			int ppid = 0;

			if (sscanf(close_paren + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
				found = (pid_t)g_ascii_strtoll(name, NULL, 10);
		}
		g_free(stat);
		g_free(path);
	}
	if (proc != NULL)
		g_dir_close(proc);
	return found;
}

/* The worker can reach nothing but its documents: its descriptors are stdin, stdout, stderr
 * and the one file that holds them; its environment is empty but for the sanitizers' and the
 * test hooks' settings. */
static void test_worker_holds_nothing_else(void **state)
{
	char *cv = test_fixture("docs-cv.pdf");
	const struct doc_ref docs[] = { { cv, 0, -1, 0 }, { cv, 0, -1, 0 } };
	struct doc_facts facts[2];
	struct err err = { 0 };
	struct docworker_job *job;
	pid_t pid = 0;

	(void)state;
	g_setenv("ADMITD_TEST_PAUSE", "docread", TRUE);
	g_setenv("ADMITD_SECRET_FOR_THE_TEST", "imap password", TRUE);
	job = docworker_start(docs, NULL, 2, facts, &err);
	assert_non_null(job);
	for (int i = 0; i < 100 && (pid = worker_pid()) == 0; i++)
		g_usleep(20000);
	assert_true(pid > 0);
	g_usleep(200000); /* past its start, into the document */
	char *fd_dir = g_strdup_printf("/proc/%d/fd", (int)pid);
	GDir *d = g_dir_open(fd_dir, 0, NULL);
	const char *name;
	GString *fds = g_string_new(NULL);
	assert_non_null(d);
	while ((name = g_dir_read_name(d)) != NULL)
		g_string_append_printf(fds, "%s ", name);
	g_dir_close(d);
	printf("# the worker's descriptors: %s\n", fds->str);
	char **list = g_strsplit(g_strstrip(fds->str), " ", -1);
	assert_int_equal(g_strv_length(list), 4);
	for (char **f = list; *f != NULL; f++)
		assert_true(g_ascii_strtoll(*f, NULL, 10) >= 0 &&
			    g_ascii_strtoll(*f, NULL, 10) <= 3);
	char *three = g_strdup_printf("%s/3", fd_dir), *target = g_file_read_link(three, NULL);
	assert_non_null(target);
	assert_non_null(strstr(target, "docs-cv.pdf"));
	/* And its system calls are filtered (docread_filter.h): mode 2 is a seccomp filter. */
	char *status_path = g_strdup_printf("/proc/%d/status", (int)pid), *status = NULL;
	assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
	assert_non_null(strstr(status, "\nSeccomp:\t2\n"));
	assert_non_null(strstr(status, "\nNoNewPrivs:\t1\n"));
	g_free(status);
	g_free(status_path);
	char *environ_path = g_strdup_printf("/proc/%d/environ", (int)pid), *environ = NULL;
	gsize len = 0;
	assert_true(g_file_get_contents(environ_path, &environ, &len, NULL));
	for (gsize at = 0; at < len; at += strlen(environ + at) + 1)
		if (strncmp(environ + at, "ASAN_OPTIONS=", 13) != 0 &&
		    strncmp(environ + at, "UBSAN_OPTIONS=", 14) != 0 &&
		    strncmp(environ + at, "LSAN_OPTIONS=", 13) != 0 &&
		    strncmp(environ + at, "ADMITD_TEST_", 12) != 0)
			fail_msg("the worker's environment has %s", environ + at);
	docworker_job_free(&job);
	g_unsetenv("ADMITD_TEST_PAUSE");
	g_unsetenv("ADMITD_SECRET_FOR_THE_TEST");
	g_free(environ);
	g_free(environ_path);
	g_free(target);
	g_free(three);
	g_strfreev(list);
	g_string_free(fds, TRUE);
	g_free(fd_dir);
	g_free(cv);
}

/* Runs admitd-docread by hand on one document, as docworker.c does, and returns how it ended. */
static int run_worker_on(const char *path)
{
	struct docworker_header head = { 1, 1 };
	struct docworker_request req = { 0, 1, 0, -1 };
	int in[2], doc = open(path, O_RDONLY), devnull = open("/dev/null", O_WRONLY), status = 0;
	char *argv[] = { (char *)g_getenv("ADMITD_DOCREAD"), NULL };
	char **env = g_get_environ();
	posix_spawn_file_actions_t fa;
	pid_t pid;

	assert_true(doc >= 0 && devnull >= 0 && argv[0] != NULL);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(write(in[1], &head, sizeof(head)), (ssize_t)sizeof(head));
	assert_int_equal(write(in[1], &req, sizeof(req)), (ssize_t)sizeof(req));
	close(in[1]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, devnull, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, doc, DOCWORKER_FIRST_FD);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, env), 0);
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(in[0]);
	close(doc);
	close(devnull);
	g_strfreev(env);
	return status;
}

/* A worker that does what an exploit would, open a socket (a test hook), is killed by its
 * filter at that call, and its document comes back unreadable, not too slow; without the hook
 * the same document reads. */
static void test_forbidden_call_kills_the_worker(void **state)
{
	char *cv = test_fixture("docs-cv.pdf");
	const struct doc_ref doc = { cv, 0, -1, 0 };
	struct doc_facts facts;
	struct err err = { 0 };
	int status;

	(void)state;
	assert_int_equal(run_worker_on(cv), 0);
	g_setenv("ADMITD_TEST_FAULT", "docread-syscall", TRUE);
	status = run_worker_on(cv);
	printf("# the worker that opened a socket: %s %d\n",
	       WIFSIGNALED(status) ? "killed by signal" : "exited with",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	assert_int_equal(docworker_inspect(&doc, &facts, &err), 0);
	g_unsetenv("ADMITD_TEST_FAULT");
	assert_true(facts.unreadable);
	assert_false(facts.too_slow);
	assert_int_equal(facts.format, FORMAT_PDF);
	assert_int_equal(docworker_inspect(&doc, &facts, &err), 0);
	assert_false(facts.unreadable);
	assert_int_equal(facts.pages, 2);
	g_free(cv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_documents),
		cmocka_unit_test(test_worker_holds_nothing_else),
		cmocka_unit_test(test_forbidden_call_kills_the_worker),
		cmocka_unit_test(test_message_budget),
		cmocka_unit_test(test_classify_names),
		cmocka_unit_test(test_classify_text),
		cmocka_unit_test(test_classify_name_then_text),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_worker_on_bad_input),
		cmocka_unit_test(test_worker_many),
		cmocka_unit_test(test_worker_reads_ranges),
		cmocka_unit_test(test_worker_in_two_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
