#include "ctl_quarantine.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "quarantine.h"
#include "spool.h"
#include "timeutil.h"
#include "untrusted.h"

static int fail(const struct err *err)
{
	fprintf(stderr, "admitctl: %s\n", err->text);
	return err_exit_code(err);
}

/* What the sender wrote is shown as one safe line: a terminal is a place for our words. */
static void safe(const char *label, const char *text)
{
	char *line = untrusted_line(text ? text : "", 200);

	printf("%-14s %s\n", label, line[0] ? line : "-");
	g_free(line);
}

static int list(struct store *st)
{
	GPtrArray *rows = NULL;
	struct err err = { 0 };

	if (store_quarantine_list(st, &rows, &err) < 0)
		return fail(&err);
	if (rows->len == 0)
		printf("No quarantined messages.\n");
	for (guint i = 0; i < rows->len; i++) {
		const struct quarantine_row *q = g_ptr_array_index(rows, i);
		char *from = untrusted_line(q->raw_from ? q->raw_from : "", 40);

		printf("%-6" G_GINT64_FORMAT " %-20s %-40s %s\n", q->id, q->received_at,
		       from[0] ? from : "(no From)", q->reason ? q->reason : "");
		g_free(from);
	}
	if (rows->len > 0)
		printf("admitctl quarantine show ID: one of them; release ID: file it again\n");
	g_ptr_array_free(rows, TRUE);
	return EX_OK;
}

static int parse_id(const char *text, int64_t *id_r)
{
	char *end;

	*id_r = g_ascii_strtoll(text, &end, 10);
	if (*end != '\0' || *id_r <= 0) {
		fprintf(stderr, "admitctl: quarantine: %s is not a message number\n", text);
		return -1;
	}
	return 0;
}

static int show(struct store *st, int64_t id)
{
	struct quarantine_row *q = NULL;
	struct err err = { 0 };
	int found = store_ledger_row(st, id, &q, &err);

	if (found < 0)
		return fail(&err);
	if (found == 0) {
		fprintf(stderr, "admitctl: no message %" G_GINT64_FORMAT "\n", id);
		return EX_DATAERR;
	}
	printf("Message        %" G_GINT64_FORMAT " (UID %u of UIDVALIDITY %u)\n", q->id, q->uid,
	       q->uidvalidity);
	printf("Filed as       %s\nReceived       %s\n", q->outcome, q->received_at);
	printf("Reason         %s\n", q->reason ? q->reason : "-");
	safe("From", q->raw_from);
	safe("Subject", q->subject);
	printf("Spooled copy   %s\n", q->spool_path);
	quarantine_row_free(q);
	return EX_OK;
}

static int release(const struct config *cfg, struct store *st, int64_t id)
{
	struct spool *sp = NULL;
	struct ledger_result res = { 0 };
	struct err err = { 0 };
	int rc = EX_OK;

	if (spool_open(&sp, cfg->storage.spool, &err) < 0 ||
	    quarantine_release(st, sp, cfg, id, time_now(), &res, &err) < 0)
		rc = fail(&err);
	else
		printf("message %" G_GINT64_FORMAT " filed as %s%s%s%s%s; admitd sends any reply "
		       "in its next cycle\n",
		       id, res.outcome, res.ref ? " " : "", res.ref ? res.ref : "",
		       res.reply ? ", reply " : "", res.reply ? res.reply : "");
	ledger_result_clear(&res);
	spool_close(&sp);
	return rc;
}

int ctl_quarantine(const struct config *cfg, struct store *st, int argc, char **argv)
{
	int64_t id;

	if (argc == 1 && strcmp(argv[0], "list") == 0)
		return list(st);
	if (argc == 2 && strcmp(argv[0], "show") == 0)
		return parse_id(argv[1], &id) < 0 ? EX_USAGE : show(st, id);
	if (argc == 2 && strcmp(argv[0], "release") == 0)
		return parse_id(argv[1], &id) < 0 ? EX_USAGE : release(cfg, st, id);
	fprintf(stderr, "admitctl: usage: quarantine list | show ID | release ID\n");
	return EX_USAGE;
}
