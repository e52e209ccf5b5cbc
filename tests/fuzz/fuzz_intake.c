/* libFuzzer target: the whole intake of one raw message, without network: GMime reading,
 * attachment saving, the document worker, classification, and intake_file() into a real
 * sqlite store (rolled back after each input, so inputs stay independent). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "documents.h"
#include "intake.h"
#include "mail.h"
#include "store.h"

static struct config *cfg;
static struct store *st;
static char *dir;

static void setup(void)
{
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };
	char *text, *path;

	mail_library_init();
	dir = g_dir_make_tmp("admitd-fuzz-XXXXXX", NULL);
	text = g_strdup_printf(
		"programme = { name = \"Fuzz\"; reference_prefix = \"FZ\";\n"
		"  registration_url = \"https://example.org/\"; reply_from = \"a@example.org\"; };\n"
		"editions = ( { name = \"e\"; opens = \"2000-01-01\"; closes = \"2099-12-31\"; } );\n"
		"batches = { anchor = \"2026-01-12\"; };\n"
		"commission = { address = \"c@example.org\"; members = [ \"m@example.org\" ]; };\n"
		"imap = { url = \"imaps://localhost/INBOX\"; username = \"u\"; processed_mailbox = \"P\"; };\n"
		"smtp = { url = \"smtp://localhost\"; };\n"
		"storage = { database = \"%s/fuzz.db\"; spool = \"%s/spool\"; };\n"
		"templates = { dir = \"%s\"; };\n",
		dir, dir, ADMITD_TEMPLATES_SOURCE);
	path = g_build_filename(dir, "fuzz.conf", NULL);
	g_file_set_contents(path, text, -1, NULL);
	if (config_load(&cfg, path, 0, problems) < 0 || store_open(&st, cfg->storage.database, &err) < 0)
		abort();
	g_free(text);
	g_free(path);
	g_string_free(problems, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intake_source src = { .uidvalidity = 1, .uid = 1 };
	struct intake_result res = { 0 };
	struct doc_facts *facts = NULL;
	struct mail *m = NULL;
	struct err err = { 0 };
	char *sha, *eml, *att;

	if (cfg == NULL)
		setup();
	eml = g_build_filename(dir, "in.eml", NULL);
	att = g_build_filename(dir, "in.parts", NULL);
	g_file_set_contents(eml, (const char *)data, (gssize)size, NULL);
	sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, size);
	src.spool_path = eml;
	src.sha256 = sha;
	if (mail_read(&m, eml, att, &err) < 0)
		src.unreadable = err.text;
	else if (documents_inspect_all(m, &facts, &err) < 0)
		abort();
	src.mail = m;
	src.facts = facts;
	if (store_begin(st, &err) == 0) {
		intake_file(st, cfg, &src, 1790000000, &res, &err);
		store_rollback(st);
	}
	intake_result_clear(&res);
	g_unlink(att);
	mail_free(&m);
	g_free(facts);
	g_free(sha);
	g_free(eml);
	g_free(att);
	return 0;
}
