#include "fuzz_store.h"

#include <stdlib.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "err.h"
#include "intake.h"
#include "mail.h"
#include "store.h"

struct fuzz_store {
	struct config *cfg; /* owned by the process */
	struct store *st;
	char *dir;
	char *eml;   /* the input as a raw message */
	char *parts; /* where its attachments are decoded */
};

static struct fuzz_store the_store;

static void setup(struct fuzz_store *fs)
{
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };
	char *text, *path;

	mail_library_init();
	fs->dir = g_dir_make_tmp("admitd-fuzz-XXXXXX", NULL);
	text = g_strdup_printf(
		"programme = { name = \"Fuzz\"; reference_prefix = \"FZ\";\n"
		"  registration_url = \"https://example.org/\"; reply_from = \"a@example.org\"; "
		"};\n"
		"editions = ( { name = \"e\"; opens = \"2000-01-01\"; closes = \"2099-12-31\"; } "
		");\n"
		"batches = { anchor = \"2026-01-12\"; };\n"
		"commission = { address = \"c@example.org\"; members = [ \"m@example.org\" ]; };\n"
		"imap = { url = \"imaps://localhost/INBOX\"; username = \"u\"; processed_mailbox = "
		"\"P\"; };\n"
		"smtp = { url = \"smtp://localhost\"; };\n"
		"storage = { database = \"%s/fuzz.db\"; spool = \"%s/spool\"; };\n"
		"templates = { dir = \"%s\"; };\n",
		fs->dir, fs->dir, ADMITD_TEMPLATES_SOURCE);
	path = g_build_filename(fs->dir, "fuzz.conf", NULL);
	g_file_set_contents(path, text, -1, NULL);
	if (config_load(&fs->cfg, path, 0, problems) < 0 ||
	    store_open(&fs->st, fs->cfg->storage.database, &err) < 0)
		abort();
	fs->eml = g_build_filename(fs->dir, "in.eml", NULL);
	fs->parts = g_build_filename(fs->dir, "in.parts", NULL);
	g_free(text);
	g_free(path);
	g_string_free(problems, TRUE);
}

void fuzz_store_file(const uint8_t *data, size_t size, fuzz_facts_fn facts_fn)
{
	struct fuzz_store *fs = &the_store;
	struct ledger_source src = { .uidvalidity = 1, .uid = 1 };
	struct ledger_result res = { 0 };
	struct doc_facts *facts = NULL;
	struct mail *m = NULL;
	struct err err = { 0 };
	char *sha;

	if (fs->cfg == NULL)
		setup(fs);
	if (!g_file_set_contents(fs->eml, (const char *)data, (gssize)size, NULL))
		abort();
	sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, size);
	src.spool_path = fs->eml;
	src.sha256 = sha;
	if (mail_read(&m, fs->eml, fs->parts, &err) < 0)
		src.unreadable = err.text;
	else
		facts_fn(m, &facts);
	src.mail = m;
	src.facts = facts;
	if (store_begin(fs->st, &err) == 0) {
		intake_file(fs->st, fs->cfg, &src, 1790000000, &res, &err);
		store_rollback(fs->st);
	}
	ledger_result_clear(&res);
	g_unlink(fs->parts);
	mail_free(&m);
	g_free(facts);
	g_free(sha);
}
