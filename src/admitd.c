/* admitd — the admissions daemon: polls the inbox, files applications, sends the replies. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "crashmark.h"
#include "err.h"
#include "imap.h"
#include "inbox.h"
#include "commission.h"
#include "rollover.h"
#include "letter.h"
#include "batch.h"
#include "log.h"
#include "notify.h"
#include "oauth2.h"
#include "oauth2_notice.h"
#include "mail.h"
#include "outbox.h"
#include "quarantine.h"
#include "retention.h"
#include "smtp.h"
#include "spool.h"
#include "store.h"
#include "timeutil.h"

#define DEFAULT_CONFIG "/etc/admitd/admitd.conf"

static volatile sig_atomic_t reload_requested;
static bool trace_imap; /* --trace-imap */

struct daemon {
	struct config *cfg;
	struct store *st;
	struct spool *sp;
	struct imap *im;
	struct smtp *sm;
	struct oauth2 *oa; /* NULL unless imap.auth or smtp.auth is "oauth2" */
	int lock_fd;
};

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		notify_request_stop();
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: admitd [-c FILE] [--once | --check-config] [--now TIME]\n"
		"  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		"      --once          one cycle (poll, intake, outbox) and exit\n"
		"      --check-config  validate the configuration and templates, and exit\n"
		"      --now TIME      act as if the time were TIME (ISO 8601), for tests\n"
		"      --trace-imap    print each IMAP command sent (names only, no arguments)\n");
}

static int load_config(const char *path, struct config **cfg_r)
{
	GString *problems = g_string_new(NULL);
	struct err err = { 0 };
	int ret = config_load(cfg_r, path, CONFIG_SECRETS, problems);

	if (ret < 0)
		fputs(problems->str, stderr);
	else if (letter_check_templates(*cfg_r, &err) < 0) {
		fprintf(stderr, "%s\n", err.text);
		config_free(cfg_r);
		ret = -1;
	}
	g_string_free(problems, TRUE);
	return ret < 0 ? EX_CONFIG : EX_OK;
}

/* --check-config: what the provider must have set up, which the file cannot show. */
static void describe_oauth2(const struct config *cfg)
{
	const struct config_oauth2 *o = &cfg->oauth2;

	if (!o->configured)
		return;
	printf("%s: oauth2: provider %s, grant %s, scope \"%s\"; imap.auth = \"%s\", smtp.auth = "
	       "\"%s\"\n",
	       cfg->path, o->provider, o->grant, o->scope ? o->scope : "", cfg->imap.auth,
	       cfg->smtp.auth);
	printf("%s: oauth2: the provider needs %s\n", cfg->path, config_oauth2_needs(o));
	if (strcmp(o->grant, "refresh_token") == 0 && access(o->token_file, F_OK) < 0)
		printf("%s: oauth2: no refresh token yet in %s: run admitctl oauth login\n",
		       cfg->path, o->token_file);
}

/* A second daemon on the same database would file every message twice. */
static int take_lock(struct daemon *d, struct err *err)
{
	char *path = g_strconcat(d->cfg->storage.database, ".lock", NULL);
	char *dir = g_path_get_dirname(path);
	int ret = 0;

	if (g_mkdir_with_parents(dir, 0700) < 0)
		log_warn("cannot create %s: %s", dir, strerror(errno));
	g_free(dir);
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0)
		ret = err_set(err, ERR_CONFIG, "cannot open %s: %s", path, strerror(errno));
	else if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0)
		ret = err_set(err, errno == EWOULDBLOCK ? ERR_TEMP : ERR_CONFIG,
			      "another admitd is running on %s (lock %s held)",
			      d->cfg->storage.database, path);
	g_free(path);
	return ret;
}

/* One token for both services when both use it: one grant, one refresh token to rotate. */
static struct oauth2 *attach_oauth2(const struct config *cfg, struct imap *im, struct smtp *sm)
{
	struct oauth2 *o;

	if (!config_uses_oauth2(cfg))
		return NULL;
	o = oauth2_new(&cfg->oauth2);
	if (strcmp(cfg->imap.auth, "oauth2") == 0)
		imap_set_oauth2(im, o);
	if (strcmp(cfg->smtp.auth, "oauth2") == 0)
		smtp_set_oauth2(sm, o);
	return o;
}

static int daemon_open(struct daemon *d, struct err *err)
{
	if (take_lock(d, err) < 0 || store_open(&d->st, d->cfg->storage.database, err) < 0 ||
	    spool_open(&d->sp, d->cfg->storage.spool, err) < 0 ||
	    imap_new(&d->im, &d->cfg->imap, err) < 0 || smtp_new(&d->sm, &d->cfg->smtp, err) < 0)
		return -1;
	d->oa = attach_oauth2(d->cfg, d->im, d->sm);
	crashmark_install(d->cfg->storage.spool);
	return 0;
}

static void daemon_close(struct daemon *d)
{
	smtp_free(&d->sm);
	imap_free(&d->im);
	oauth2_free(&d->oa);
	spool_close(&d->sp);
	store_close(&d->st);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	config_free(&d->cfg);
}

static void record_state(struct daemon *d, const char *key, const char *value)
{
	struct err err = { 0 };

	if (store_state_set(d->st, key, value, &err) < 0)
		log_warn("status %s not recorded: %s", key, err.text);
}

/* The scheduled jobs, in order: next-edition applications join an edition that opened,
 * applications past their retention are purged, batches whose window ended go to the
 * commission, undecided ones get their reminder, refusals gathered past the day's warnings
 * are summarised to the commission. The first failure stops the rest. */
static int review_step(struct daemon *d, struct err *err)
{
	int closed = 0, reminded = 0, opened = 0, purged = 0, summaries = 0, quarantined = 0;

	if (rollover_open_editions(d->st, d->cfg, time_now(), &opened, err) < 0 ||
	    retention_purge(d->st, d->cfg, time_now(), &purged, err) < 0 ||
	    batch_close_due(d->st, d->cfg, time_now(), &closed, err) < 0 ||
	    batch_remind_due(d->st, d->cfg, time_now(), &reminded, err) < 0 ||
	    commission_refusal_summary(d->st, d->cfg, time_now(), &summaries, err) < 0 ||
	    quarantine_summary(d->st, d->cfg, time_now(), &quarantined, err) < 0) {
		log_error("review: %s", err->text);
		return -1;
	}
	return 0;
}

/* Sends what is due, adding to *total; a failure is logged here and kept in err (err_keep). */
static int flush(struct daemon *d, struct outbox_stats *total, struct err *err)
{
	struct outbox_stats s = { 0 };
	struct err step = { 0 };
	int ret = outbox_flush(d->st, d->sm, d->cfg, time_now(), &s, &step);

	total->sent += s.sent;
	total->deferred += s.deferred;
	total->failed += s.failed;
	if (ret < 0) {
		log_error("outbox: %s", step.text);
		err_keep(err, &step);
	}
	return ret;
}

/* One cycle: the inbox, the scheduled jobs, then the outbox, each also when an earlier one
 * failed (replies already committed must not wait for the IMAP server). Each failure is logged
 * where it happens; the error returned is the first, or a graver later one (err_keep). */
static int cycle(struct daemon *d, bool once, struct err *err)
{
	struct inbox_stats in = { 0 };
	struct outbox_stats out = { 0 };
	struct err step = { 0 };
	char *now_text = time_iso8601(time_now());
	int ret = 0, reported, told = 0;

	if (inbox_poll(d->im, d->st, d->sp, d->cfg, &in, &step) < 0) {
		log_error("inbox: %s", step.text);
		record_state(d, "last_error", step.text);
		ret = err_keep(err, &step);
	} else {
		record_state(d, "last_poll", now_text);
		record_state(d, "last_error", "");
	}
	if (review_step(d, &step) < 0)
		ret = err_keep(err, &step);
	if (flush(d, &out, err) < 0)
		ret = -1;
	reported = outbox_report_failures(d->st, d->cfg, time_now(), &step);
	if (reported < 0) {
		log_error("outbox: %s", step.text);
		ret = err_keep(err, &step);
	}
	if (d->oa != NULL && (told = oauth2_notice(d->st, d->cfg, d->oa, time_now(), &step)) < 0) {
		log_error("oauth2: %s", step.text);
		ret = err_keep(err, &step);
	}
	/* The office hears of a failure in the cycle that saw it. */
	if ((reported == 1 || told == 1) && flush(d, &out, err) < 0)
		ret = -1;
	if (ret == 0 && out.deferred > 0 && once) {
		/* Not an error for the daemon (the rows wait for their next attempt), but --once
		 * tells its caller that not everything went out. */
		err_set(err, ERR_TEMP, "outbox: %d message(s) deferred", out.deferred);
		ret = -1;
	}
	if (in.filed || in.moved || out.sent || out.deferred || out.failed)
		log_info("cycle filed=%d moved=%d sent=%d deferred=%d failed=%d", in.filed,
			 in.moved, out.sent, out.deferred, out.failed);
	g_free(now_text);
	return ret;
}

static void sleep_interruptibly(int seconds)
{
	for (int i = 0; i < seconds && !notify_stop_requested() && !reload_requested; i++) {
		notify_alive();
		sleep(1);
	}
}

/* "12 pending, batch 3 closes 2026-12-12, outbox empty", or the last error. */
static void report_status(struct daemon *d, int cycle_ret, const struct err *err)
{
	GHashTable *counts = NULL;
	struct err e = { 0 };
	struct batch_row b = { 0 };
	char batch_text[64] = "no open batch";
	int queued, attention;

	if (cycle_ret < 0) {
		notify_status("error: %s", err->text);
		return;
	}
	if (store_counts(d->st, &counts, &e) < 0)
		return;
	if (batch_current(d->st, time_now(), &b, &e) == 1)
		snprintf(batch_text, sizeof(batch_text), "batch %" G_GINT64_FORMAT " closes %s",
			 b.id, b.closes_on);
	batch_row_clear(&b);
	queued = GPOINTER_TO_INT(g_hash_table_lookup(counts, "outbox:queued")) +
		 GPOINTER_TO_INT(g_hash_table_lookup(counts, "outbox:sending"));
	attention = GPOINTER_TO_INT(g_hash_table_lookup(counts, "attention"));
	notify_status("%d pending, %d in review, %s, %s%s",
		      GPOINTER_TO_INT(g_hash_table_lookup(counts, app_state_name(APP_PENDING))),
		      GPOINTER_TO_INT(g_hash_table_lookup(counts, app_state_name(APP_IN_REVIEW))),
		      batch_text, queued ? "outbox has letters waiting" : "outbox empty",
		      attention ? "; NEEDS ATTENTION: an email to the commission or a large one "
				  "was refused (admitctl status)"
				: "");
	g_hash_table_destroy(counts);
}

/* SIGHUP: a new configuration and templates, or the old ones kept when the new are bad. The
 * store and spool stay as they are (moving them needs a restart). */
static void reload(struct daemon *d)
{
	struct config *fresh = NULL;
	struct imap *im = NULL;
	struct smtp *sm = NULL;
	struct err err = { 0 };

	reload_requested = 0;
	/* A reload also lifts an OAuth2 refusal: the client secret may be new. */
	notify_reloading();
	if (load_config(d->cfg->path, &fresh) != EX_OK) {
		log_error(
			"reload refused: %s has errors (above); keeping the running configuration",
			d->cfg->path);
	} else if (strcmp(fresh->storage.database, d->cfg->storage.database) != 0 ||
		   strcmp(fresh->storage.spool, d->cfg->storage.spool) != 0) {
		log_error("reload refused: storage paths changed; restart admitd to move them");
	} else if (imap_new(&im, &fresh->imap, &err) < 0 || smtp_new(&sm, &fresh->smtp, &err) < 0) {
		log_error("reload refused: %s", err.text);
	} else {
		imap_free(&d->im);
		smtp_free(&d->sm);
		oauth2_free(&d->oa);
		config_free(&d->cfg);
		d->cfg = fresh, d->im = im, d->sm = sm;
		d->oa = attach_oauth2(d->cfg, d->im, d->sm);
		imap_set_trace(d->im, trace_imap);
		fresh = NULL, im = NULL, sm = NULL;
		log_info("reload config=%s", d->cfg->path);
	}
	imap_free(&im);
	smtp_free(&sm);
	config_free(&fresh);
	notify_ready();
}

/* The poll interval, doubled for each failed cycle in a row, at most 15 minutes. */
static int backoff(int poll_seconds, int failures)
{
	int delay = poll_seconds;

	for (int i = 0; i < failures && delay < 900; i++)
		delay *= 2;
	return MIN(MAX(delay, poll_seconds), MAX(900, poll_seconds));
}

static int run(struct daemon *d, bool once)
{
	struct err err = { 0 };
	int failures = 0;

	if (daemon_open(d, &err) < 0) {
		log_error("%s", err.text);
		return err_exit_code(&err);
	}
	imap_set_trace(d->im, trace_imap);
	log_info("start config=%s database=%s inbox=%s", d->cfg->path, d->cfg->storage.database,
		 imap_mailbox(d->im));
	if (once)
		return cycle(d, true, &err) < 0 ? err_exit_code(&err) : EX_OK;
	notify_init();
	for (bool first = true; !notify_stop_requested(); first = false) {
		int ret;

		err_clear(&err);
		/* Temporary failures are logged in cycle() and retried, later each time while
		 * they last; a broken configuration or store stops the daemon. */
		ret = cycle(d, false, &err);
		report_status(d, ret, &err);
		/* Ready once the store is open and the first poll has run, logged if it failed. */
		if (first)
			notify_ready();
		if (ret == 0)
			failures = 0;
		else if (err.class == ERR_CONFIG || err.class == ERR_FATAL)
			return err_exit_code(&err);
		else
			failures++;
		sleep_interruptibly(backoff(d->cfg->imap.poll_seconds, failures));
		if (reload_requested && !notify_stop_requested())
			reload(d);
	}
	notify_stopping();
	log_info("stop");
	return EX_OK;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "now", required_argument, NULL, 'n' },
		{ "trace-imap", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG;
	struct daemon d = { .lock_fd = -1 };
	bool once = false, check = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'o':
			once = true;
			break;
		case 'k':
			check = true;
			break;
		case 'n':
			if (time_set_now_option("admitd", optarg) < 0)
				return EX_USAGE;
			break;
		case 't':
			trace_imap = true;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	log_init("admitd");
	mail_library_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = load_config(config_path, &d.cfg);
	if (rc == EX_OK && check) {
		printf("%s: configuration and templates are valid\n", config_path);
		describe_oauth2(d.cfg);
	}
	if (rc == EX_OK && !check) {
		/* Applicants' documents and the store: for admitd's user only (sqlite's files too). */
		umask(077);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		signal(SIGHUP, on_signal);
		rc = run(&d, once);
	}
	daemon_close(&d);
	curl_global_cleanup();
	return rc;
}
