/* admitctl — the operator's command line: what is in the store, for people and for scripts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "err.h"
#include "mail.h"
#include "report.h"
#include "store.h"

#define DEFAULT_CONFIG "/etc/admitd/admitd.conf"

static const char *const states[] = { "incomplete", "pending",      "in_review", "accepted",
				      "discarded",  "reserve",      "next_edition", "withdrawn",
				      NULL };

struct ctl {
	struct config *cfg;
	struct store *st;
	bool json;
	const char *state; /* --state filter */
};

static void usage(FILE *out)
{
	fputs("usage: admitctl [-c FILE] COMMAND\n"
	      "  status                      applications by state, outbox, last poll and error\n"
	      "  list [--state S] [--json]   applications\n"
	      "  show REF [--json]           one application and its documents\n"
	      "  outbox [--json]             replies: queued, sent, failed\n"
	      "  history REF                 the audit trail of one application\n",
	      out);
}

static bool known_state(const char *s)
{
	for (const char *const *p = states; *p != NULL; p++)
		if (strcmp(*p, s) == 0)
			return true;
	return false;
}

static int fail(const struct err *err)
{
	fprintf(stderr, "admitctl: %s\n", err->text);
	return err_exit_code(err);
}

static int cmd_status(struct ctl *c)
{
	GHashTable *counts = NULL;
	char *last_poll = NULL, *last_error = NULL;
	struct err err = { 0 };

	if (store_counts(c->st, &counts, &err) < 0 ||
	    store_state_get(c->st, "last_poll", &last_poll, &err) < 0 ||
	    store_state_get(c->st, "last_error", &last_error, &err) < 0) {
		if (counts != NULL)
			g_hash_table_destroy(counts);
		g_free(last_poll);
		return fail(&err);
	}
	printf("%s\n\nApplications\n", c->cfg->programme.name);
	for (const char *const *s = states; *s != NULL; s++)
		printf("  %-13s %d\n", *s, GPOINTER_TO_INT(g_hash_table_lookup(counts, *s)));
	printf("Outbox\n");
	static const char *const outbox_states[] = { "queued", "sending", "sent", "failed" };
	for (size_t i = 0; i < G_N_ELEMENTS(outbox_states); i++) {
		char *key = g_strconcat("outbox:", outbox_states[i], NULL);

		printf("  %-13s %d\n", outbox_states[i],
		       GPOINTER_TO_INT(g_hash_table_lookup(counts, key)));
		g_free(key);
	}
	printf("Last poll       %s\nLast error      %s\n", last_poll ? last_poll : "never",
	       last_error ? last_error : "none");
	g_hash_table_destroy(counts);
	g_free(last_poll);
	g_free(last_error);
	return EX_OK;
}

static int print_apps(struct ctl *c, const char *ref)
{
	GPtrArray *apps = NULL;
	struct err err = { 0 };
	char *json;

	if (store_applications(c->st, c->state, ref, &apps, &err) < 0)
		return fail(&err);
	if (ref != NULL && apps->len == 0) {
		fprintf(stderr, "admitctl: no application %s\n", ref);
		g_ptr_array_free(apps, TRUE);
		return EX_DATAERR;
	}
	if (c->json) {
		json = ref ? report_application_json(g_ptr_array_index(apps, 0))
			   : report_applications_json(apps);
		puts(json);
		g_free(json);
	} else if (ref != NULL) {
		report_application_text(stdout, g_ptr_array_index(apps, 0));
	} else {
		report_applications_table(stdout, apps);
	}
	g_ptr_array_free(apps, TRUE);
	return EX_OK;
}

static int cmd_outbox(struct ctl *c)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };

	if (store_outbox_list(c->st, &rows, &err) < 0)
		return fail(&err);
	if (c->json) {
		char *json = report_outbox_json(rows);

		puts(json);
		g_free(json);
	} else {
		report_outbox_table(stdout, rows);
	}
	g_ptr_array_free(rows, TRUE);
	return EX_OK;
}

static int cmd_history(struct ctl *c, const char *ref)
{
	GPtrArray *lines = NULL;
	struct err err = { 0 };

	if (store_history(c->st, ref, &lines, &err) < 0)
		return fail(&err);
	if (lines->len == 0)
		fprintf(stderr, "admitctl: no history for %s\n", ref);
	for (guint i = 0; i < lines->len; i++)
		puts(g_ptr_array_index(lines, i));
	g_ptr_array_free(lines, TRUE);
	return EX_OK;
}

static int dispatch(struct ctl *c, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "status") == 0 && argc == 1)
		return cmd_status(c);
	if (strcmp(cmd, "list") == 0 && argc == 1)
		return print_apps(c, NULL);
	if (strcmp(cmd, "show") == 0 && argc == 2)
		return print_apps(c, argv[1]);
	if (strcmp(cmd, "outbox") == 0 && argc == 1)
		return cmd_outbox(c);
	if (strcmp(cmd, "history") == 0 && argc == 2)
		return cmd_history(c, argv[1]);
	fprintf(stderr, "admitctl: unknown command or wrong arguments: %s\n", cmd);
	usage(stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' }, { "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG;
	struct ctl c = { 0 };
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 's':
			if (!known_state(optarg)) {
				fprintf(stderr, "admitctl: --state %s: not a state\n", optarg);
				return EX_USAGE;
			}
			c.state = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	mail_library_init();
	/* admitctl reads the store only: it needs no mail passwords. */
	if (config_load(&c.cfg, config_path, 0, problems) < 0) {
		fputs(problems->str, stderr);
		g_string_free(problems, TRUE);
		return EX_CONFIG;
	}
	g_string_free(problems, TRUE);
	if (store_open(&c.st, c.cfg->storage.database, &err) < 0)
		rc = fail(&err);
	else
		rc = dispatch(&c, argc - optind, argv + optind);
	store_close(&c.st);
	config_free(&c.cfg);
	return rc;
}
