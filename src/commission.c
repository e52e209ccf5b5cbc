#include "commission.h"

#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "compose.h"
#include "decision.h"
#include "digest.h"
#include "letter.h"
#include "log.h"
#include "template.h"
#include "timeutil.h"
#include "untrusted.h"

static bool is_member(const struct config *cfg, const char *addr)
{
	for (char **m = cfg->commission.members; *m != NULL; m++)
		if (g_ascii_strcasecmp(addr, *m) == 0)
			return true;
	return false;
}

/* The batch whose digest (or reminder) this mail answers: the first token of ours in
 * In-Reply-To, References or Subject. 1 and *batch_r, 0 when it carries none. */
static int answered_batch(struct store *st, const struct mail *m, int64_t *batch_r, struct err *err)
{
	GPtrArray *tokens = g_ptr_array_new_with_free_func(g_free);
	int found = 0;

	decision_find_tokens(m->in_reply_to, tokens);
	decision_find_tokens(m->references, tokens);
	decision_find_tokens(m->subject, tokens);
	for (guint i = 0; i < tokens->len && found == 0; i++)
		found = store_batch_by_token(st, g_ptr_array_index(tokens, i), batch_r, err);
	g_ptr_array_free(tokens, TRUE);
	return found;
}

/* A token stops deciding commission.token_days after its batch was all decided: one leaked
 * old digest must not give power for ever. */
static int token_expired(struct store *st, const struct config *cfg, int64_t batch, gint64 now,
			 bool *expired_r, struct err *err)
{
	gint64 at = 0;
	int done = store_batch_decided_at(st, batch, &at, err);

	*expired_r = done == 1 && now - at > (gint64)cfg->commission.token_days * 86400;
	return done < 0 ? -1 : 0;
}

int commission_concerns(struct store *st, const struct config *cfg, const struct mail *m,
			struct err *err)
{
	if (is_member(cfg, m->from_addr) ||
	    g_ascii_strcasecmp(m->from_addr, cfg->commission.address) == 0)
		return 1;
	int64_t batch;

	return answered_batch(st, m, &batch, err);
}

/* Only the topmost Authentication-Results counts: our own server adds it above everything
 * the sender wrote (RFC 8601 section 5), and removes any other that claims its name. */
static bool auth_passes(const struct config *cfg, const struct mail *m)
{
	const char *at = strrchr(m->from_addr, '@');

	return m->auth_results->len > 0 && at != NULL &&
	       decision_auth_passes(g_ptr_array_index(m->auth_results, 0),
				    cfg->commission.authserv_id, cfg->commission.require_auth,
				    at + 1);
}

/* *reason_r: NULL when the reply may decide the applications of *batch_r, otherwise the
 * snippet naming why not (static). */
static int refusal(struct store *st, const struct config *cfg, const struct mail *m, gint64 now,
		   const char **reason_r, int64_t *batch_r, struct err *err)
{
	bool expired = false;
	int token;

	*reason_r = NULL;
	if (!is_member(cfg, m->from_addr)) {
		*reason_r = "refused-not-member";
		return 0;
	}
	if ((token = answered_batch(st, m, batch_r, err)) < 0 ||
	    (token == 1 && token_expired(st, cfg, *batch_r, now, &expired, err) < 0))
		return -1;
	if (token == 0)
		*reason_r = "refused-no-token";
	else if (expired)
		*reason_r = "refused-token-expired";
	else if (cfg->commission.require_auth != NULL && !auth_passes(cfg, m))
		*reason_r = "refused-not-authenticated";
	return 0;
}

static GHashTable *reply_vars(const struct config *cfg, const struct mail *m)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "sender", g_strdup(m->from_addr));
	g_hash_table_insert(vars, "subject", g_strdup(m->subject));
	g_hash_table_insert(
		vars, "authserv_id",
		g_strdup(cfg->commission.authserv_id ? cfg->commission.authserv_id : ""));
	return vars;
}

/* Appends snippets/NAME.txt rendered with vars (plus line, ref, state and earlier, each "" when
 * NULL) to out. */
static int add_line(const struct config *cfg, GString *out, const char *name, GHashTable *vars,
		    const char *line, const char *ref, const char *state, const char *earlier,
		    struct err *err)
{
	g_hash_table_insert(vars, "line", g_strdup(line ? line : ""));
	g_hash_table_insert(vars, "ref", g_strdup(ref ? ref : ""));
	g_hash_table_insert(vars, "state", g_strdup(state ? state : ""));
	g_hash_table_insert(vars, "earlier", g_strdup(earlier ? earlier : ""));
	return template_snippet_append(cfg->templates.search, name, vars, out, err);
}

static int queue_to(struct store *st, const struct config *cfg, const struct mail *m,
		    const char *template_name, const char *to, GHashTable *vars, gint64 now,
		    struct err *err)
{
	return letter_queue_answer(st, cfg, 0, m, to, NULL, template_name, vars, true, now, err);
}

/* The warning to the commission is never held by the reply limits: a forger must not be able
 * to silence it by sending five forgeries first. Past limits.replies_per_address_per_day
 * warnings in a day, the rest are gathered into one summary a day instead
 * (commission_refusal_summary), so forgeries cannot flood the commission either. */
static int warn_commission(struct store *st, const struct config *cfg, const struct mail *m,
			   GHashTable *vars, const char *detail, gint64 now, struct err *err)
{
	const char *to = cfg->commission.address;
	int sent;

	if (store_outbox_count_template(st, "decision_refused", to, now - 86400, &sent, err) < 0)
		return -1;
	if (sent >= cfg->limits.replies_per_address_per_day)
		return store_event_add(st, 0, "decision-refused-gathered", detail, now, err);
	return letter_queue_answer(st, cfg, 0, m, to, NULL, "decision_refused", vars, false, now,
				   err);
}

static int refuse(struct store *st, const struct config *cfg, const struct mail *m,
		  const char *reason, gint64 now, struct err *err)
{
	GHashTable *vars = reply_vars(cfg, m);
	GString *results = g_string_new(NULL);
	char *reason_text = NULL,
	     *detail = g_strdup_printf("from=%s reason=%s", m->from_addr, reason);
	int ret = -1;

	log_warn("decision refused from=%s reason=%s",
		 config_is_staff(cfg, m->from_addr) ? m->from_addr : "(not a member)", reason);
	if (template_snippet(cfg->templates.search, reason, vars, &reason_text, err) < 0)
		goto out;
	g_hash_table_insert(vars, "reason", g_strdup(reason_text));
	if (add_line(cfg, results, "transcript-refused", vars, NULL, NULL, NULL, NULL, err) < 0)
		goto out;
	g_hash_table_insert(vars, "results", g_strdup(results->str));
	if (store_event_add(st, 0, "decision-refused", detail, now, err) < 0 ||
	    warn_commission(st, cfg, m, vars, detail, now, err) < 0)
		goto out;
	/* The sender hears it too, unless the sender is the commission address itself. */
	if (g_ascii_strcasecmp(m->from_addr, cfg->commission.address) != 0 &&
	    queue_to(st, cfg, m, "decision_transcript", m->from_addr, vars, now, err) < 0)
		goto out;
	ret = 0;
out:
	g_hash_table_destroy(vars);
	g_string_free(results, TRUE);
	g_free(reason_text);
	g_free(detail);
	return ret;
}

/* " (by chair@example.org on 2026-03-02)": who took the decision that stands, for a member
 * who decides again what someone else already decided. "" when nobody did. */
static int earlier_text(struct store *st, const char *ref, char **text_r, struct err *err)
{
	char *by = NULL, *at = NULL;
	int found = store_decision_last(st, ref, &by, &at, err);

	if (found < 0)
		return -1;
	*text_r = found ? g_strdup_printf(" (by %s on %.10s)", by, at) : g_strdup("");
	g_free(by);
	g_free(at);
	return 0;
}

/* What a reply answers: a batch, and the part of its digest (0: any). */
struct answered {
	int64_t batch;
	int part;
};

static int apply_line(struct store *st, const struct config *cfg, const struct mail *m,
		      const struct answered *to, const struct decision_line *d, GHashTable *vars,
		      GString *out, gint64 now, struct err *err)
{
	if (d->refs[0] == NULL)
		return add_line(cfg, out, "transcript-no-reference", vars, d->text, NULL, NULL,
				NULL, err);
	for (char **ref = d->refs; *ref != NULL; ref++) {
		struct application_decision in = { .ref = *ref,
						   .verdict = d->verdict,
						   .decided_by = m->from_addr,
						   .source_message_id = m->message_id,
						   .reason = d->reason,
						   .batch_id = to->batch,
						   .digest_part = to->part };
		enum application_result result;
		enum app_state before;
		const char *state = NULL;
		char *snippet, *earlier = NULL;
		int ret;

		if (application_decide(st, cfg, &in, now, &result, &before, err) < 0)
			return -1;
		if (result != APPLICATION_UNKNOWN)
			state = app_state_name(result == APPLICATION_APPLIED
						       ? decision_verdict_state(d->verdict)
						       : before);
		if ((result == APPLICATION_UNCHANGED || result == APPLICATION_FINAL) &&
		    earlier_text(st, *ref, &earlier, err) < 0)
			return -1;
		snippet = g_strconcat("transcript-", application_result_name(result), NULL);
		ret = add_line(cfg, out, snippet, vars, d->text, *ref, state, earlier, err);
		g_free(earlier);
		log_info("decision ref=%s verdict=%s by=%s result=%s", *ref,
			 decision_verdict_name(d->verdict), m->from_addr,
			 application_result_name(result));
		g_free(snippet);
		if (ret < 0)
			return -1;
	}
	return 0;
}

/* How a reply line is compared with the lines we sent: one safe line, case-folded. */
static char *compare_key(const char *line)
{
	char *safe = untrusted_line(line, 1000);
	char *key = g_utf8_casefold(safe, -1);

	g_free(safe);
	return key;
}

static void add_sent_lines(struct store *st, const char *message_id, GHashTable *set,
			   struct err *err)
{
	GBytes *bytes = NULL;
	char *text, **lines;

	if (store_outbox_by_message_id(st, message_id, &bytes, err) != 1)
		return;
	text = mail_text_of(bytes);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		char *key = compare_key(*l);

		if (*key != '\0')
			g_hash_table_add(set, key);
		else
			g_free(key);
	}
	g_strfreev(lines);
	g_free(text);
	g_bytes_unref(bytes);
}

/* Our digest and reminder of `part` in `round`. */
static void add_part_ids(const struct config *cfg, const struct batch_row *b, int round, int part,
			 GPtrArray *ids)
{
	g_ptr_array_add(ids, digest_part_message_id(cfg, "reminder", b, round, part));
	g_ptr_array_add(ids, digest_part_message_id(cfg, "digest", b, round, part));
}

/* The lines of what we sent that this reply answers: its thread (transcripts, warnings), and
 * the digest and reminder of the part it answers, or of every part and round when it names
 * none. A reply line found among them is quoted text, whatever quote header the member's
 * client wrote, and decides nothing. Each is read whole, up to 10 MB: only the ones needed. */
static int sent_lines(struct store *st, const struct config *cfg, const struct mail *m,
		      const struct batch_row *b, int part, GHashTable **set_r, struct err *err)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *ids = mail_thread_ids(m);
	int parts = 1, ret = 0;

	if (part != 0)
		add_part_ids(cfg, b, b->digest_round, part, ids);
	else if ((ret = store_batch_parts(st, b->id, &parts, err)) == 0)
		for (int round = 0; round <= b->digest_round; round++)
			for (int k = 1; k <= parts; k++)
				add_part_ids(cfg, b, round, k, ids);
	for (guint i = 0; ret == 0 && i < ids->len && err->class == ERR_NONE; i++)
		add_sent_lines(st, g_ptr_array_index(ids, i), set, err);
	g_ptr_array_free(ids, TRUE);
	if (ret < 0 || err->class != ERR_NONE) {
		g_hash_table_destroy(set);
		return -1;
	}
	*set_r = set;
	return 0;
}

static bool quoted_from_us(GHashTable *sent, const char *line)
{
	char *key = compare_key(line);
	bool found = g_hash_table_contains(sent, key);

	g_free(key);
	return found;
}

/* add_line() for each of `lines` (char *) that is not quoted from what we sent. */
static int add_lines(const struct config *cfg, GString *out, const char *name, GHashTable *vars,
		     GHashTable *sent, GPtrArray *lines, struct err *err)
{
	for (guint i = 0; i < lines->len; i++)
		if (!quoted_from_us(sent, g_ptr_array_index(lines, i)) &&
		    add_line(cfg, out, name, vars, g_ptr_array_index(lines, i), NULL, NULL, NULL,
			     err) < 0)
			return -1;
	return 0;
}

/* The part that one of our Message-IDs names, KIND.TOKEN[.rR][.K]@domain
 * (digest_part_message_id): K (1 when absent) when R is the batch's current round, else 0. */
static int part_of(const char *id, const char *kind, const struct batch_row *b)
{
	size_t len = strlen(kind), tlen = strlen(b->token);
	const char *rest = id + len + 1 + tlen;
	long round = 0, part = 1;
	char *end;

	if (strncmp(id, kind, len) != 0 || id[len] != '.' ||
	    strncmp(id + len + 1, b->token, tlen) != 0)
		return 0;
	if (rest[0] == '.' && rest[1] == 'r' && g_ascii_isdigit(rest[2])) {
		round = strtol(rest + 2, &end, 10);
		rest = end;
	}
	if (rest[0] == '.' && g_ascii_isdigit(rest[1])) {
		part = strtol(rest + 1, &end, 10);
		rest = end;
	}
	return *rest == '@' && round == b->digest_round && part > 0 && part <= 1000000 ? (int)part
										       : 0;
}

/* Which part of the batch's digest the reply answers: the first of our digests or reminders
 * of the current round it names in In-Reply-To or References; 0 when it names none (a reply
 * written anew with the token in its subject, or to a round sent before `batch resend`):
 * then it may decide any application of the batch. */
static int answered_part(const struct mail *m, const struct batch_row *b)
{
	GPtrArray *ids = mail_thread_ids(m);
	int part = 0;

	for (guint i = 0; part == 0 && i < ids->len; i++) {
		part = part_of(g_ptr_array_index(ids, i), "digest", b);
		if (part == 0)
			part = part_of(g_ptr_array_index(ids, i), "reminder", b);
	}
	g_ptr_array_free(ids, TRUE);
	return part;
}

/* Applies the reply's decisions to the applications of `batch`, the one its token names, and
 * of the digest part it answers. */
static int decide_all(struct store *st, const struct config *cfg, const struct mail *m,
		      int64_t batch, gint64 now, struct err *err)
{
	struct decision_parse *p = decision_parse(m->body_text);
	GHashTable *vars = reply_vars(cfg, m), *sent = NULL;
	GString *out = g_string_new(NULL);
	struct answered to = { batch, 0 };
	struct batch_row b = { 0 };
	int ret = store_batch_get(st, batch, &b, err);
	guint applied = 0;

	/* Found by its token a moment ago, in this transaction. */
	if (ret == 0)
		ret = err_set(err, ERR_FATAL, "batch %" G_GINT64_FORMAT " vanished", batch);
	ret = ret < 0 ? -1 : 0;

	if (ret == 0) {
		to.part = answered_part(m, &b);
		ret = sent_lines(st, cfg, m, &b, to.part, &sent, err);
	}

	for (guint i = 0; ret == 0 && i < p->lines->len; i++) {
		const struct decision_line *d = g_ptr_array_index(p->lines, i);

		if (quoted_from_us(sent, d->text))
			continue;
		ret = apply_line(st, cfg, m, &to, d, vars, out, now, err);
		applied++;
	}
	if (ret == 0)
		ret = add_lines(cfg, out, "transcript-malformed", vars, sent, p->malformed, err);
	if (ret == 0)
		ret = add_lines(cfg, out, "transcript-ignored", vars, sent, p->ignored, err);
	if (ret == 0 && p->truncated)
		ret = add_line(cfg, out, "transcript-truncated", vars, NULL, NULL, NULL, NULL, err);
	if (ret == 0 && applied == 0)
		ret = add_line(cfg, out, "transcript-none", vars, NULL, NULL, NULL, NULL, err);
	if (ret == 0) {
		g_hash_table_insert(vars, "results", g_strdup(out->str));
		ret = queue_to(st, cfg, m, "decision_transcript", m->from_addr, vars, now, err);
	}
	/* The commission works as a body: every member sees who decided what. Not held by the
	 * reply limits: it is the record of changes already made. */
	if (ret == 0 && g_ascii_strcasecmp(m->from_addr, cfg->commission.address) != 0)
		ret = letter_queue_answer(st, cfg, 0, m, cfg->commission.address, NULL,
					  "decision_transcript", vars, false, now, err);
	g_string_free(out, TRUE);
	g_hash_table_destroy(vars);
	if (sent != NULL)
		g_hash_table_destroy(sent);
	batch_row_clear(&b);
	decision_parse_free(&p);
	return ret;
}

int commission_reply(struct store *st, const struct config *cfg, const struct ledger_source *src,
		     gint64 now, struct ledger_result *res, struct err *err)
{
	const struct mail *m = src->mail;
	const char *reason;
	int64_t batch = 0;
	int seen = m->message_id ? store_ledger_has_decision(st, m->message_id, err) : 0;

	if (seen < 0)
		return -1;
	if (seen == 1) {
		/* The same reply delivered again: it was applied and answered once already. */
		res->outcome = "duplicate";
		return ledger_record(st, src, "duplicate", "decision already filed", 0, now, NULL,
				     err);
	}
	res->outcome = "decision";
	if (ledger_record(st, src, "decision", NULL, 0, now, NULL, err) < 0 ||
	    refusal(st, cfg, m, now, &reason, &batch, err) < 0)
		return -1;
	if (reason != NULL) {
		res->reply = "decision_refused";
		return refuse(st, cfg, m, reason, now, err);
	}
	res->reply = "decision_transcript";
	return decide_all(st, cfg, m, batch, now, err);
}

int commission_refusal_summary(struct store *st, const struct config *cfg, gint64 now, int *sent_r,
			       struct err *err)
{
	GHashTable *vars = NULL;
	GPtrArray *lines = NULL;
	char *last_text = NULL, *now_text = NULL;
	gint64 last = 0;
	int ret = -1;

	*sent_r = 0;
	if (store_state_get(st, "refusal_summary_at", &last_text, err) < 0)
		return -1;
	if (last_text != NULL && time_parse(last_text, &last) < 0)
		last = 0;
	g_free(last_text);
	if (now - last < 86400)
		return 0;
	if (store_events_since(st, "decision-refused-gathered", last, &lines, err) < 0)
		return -1;
	if (lines->len == 0) {
		g_ptr_array_free(lines, TRUE);
		return 0;
	}
	g_ptr_array_add(lines, NULL);
	vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "count", g_strdup_printf("%u", lines->len - 1));
	g_hash_table_insert(vars, "refusals", g_strjoinv("\n", (char **)lines->pdata));
	struct compose_in in = letter_internal("decision_refused_summary", vars,
					       cfg->commission.address);
	now_text = time_iso8601(now);
	if (store_begin(st, err) == 0) {
		if (letter_queue(st, cfg, 0, &in, now, NULL, err) == 0 &&
		    store_state_set(st, "refusal_summary_at", now_text, err) == 0 &&
		    store_commit(st, err) == 0)
			ret = 0;
		else
			store_rollback(st);
	}
	if (ret == 0) {
		*sent_r = 1;
		log_warn("decision refusals gathered=%u summarised to=%s", lines->len - 1,
			 cfg->commission.address);
	}
	g_hash_table_destroy(vars);
	g_ptr_array_free(lines, TRUE);
	g_free(now_text);
	return ret;
}
