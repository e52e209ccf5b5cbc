#include "commission.h"

#include <string.h>

#include "application.h"
#include "decision.h"
#include "letter.h"
#include "log.h"
#include "template.h"

static bool is_member(const struct config *cfg, const char *addr)
{
	for (char **m = cfg->commission.members; *m != NULL; m++)
		if (g_ascii_strcasecmp(addr, *m) == 0)
			return true;
	return false;
}

/* 1 when a header or the subject carries the token of one of our digests. */
static int has_digest_token(struct store *st, const struct mail *m, struct err *err)
{
	GPtrArray *tokens = g_ptr_array_new_with_free_func(g_free);
	int found = 0;

	decision_find_tokens(m->in_reply_to, tokens);
	decision_find_tokens(m->references, tokens);
	decision_find_tokens(m->subject, tokens);
	for (guint i = 0; i < tokens->len && found == 0; i++) {
		int64_t id;

		found = store_batch_by_token(st, g_ptr_array_index(tokens, i), &id, err);
	}
	g_ptr_array_free(tokens, TRUE);
	return found;
}

int commission_concerns(struct store *st, const struct config *cfg, const struct mail *m,
			struct err *err)
{
	if (is_member(cfg, m->from_addr) ||
	    g_ascii_strcasecmp(m->from_addr, cfg->commission.address) == 0)
		return 1;
	return has_digest_token(st, m, err);
}

static bool auth_passes(const struct config *cfg, const struct mail *m)
{
	for (guint i = 0; i < m->auth_results->len; i++)
		if (decision_auth_passes(g_ptr_array_index(m->auth_results, i),
					 cfg->commission.authserv_id, cfg->commission.require_auth))
			return true;
	return false;
}

/* *reason_r: NULL when the reply may decide, otherwise the snippet naming why not (static). */
static int refusal(struct store *st, const struct config *cfg, const struct mail *m,
		   const char **reason_r, struct err *err)
{
	int token;

	*reason_r = NULL;
	if (!is_member(cfg, m->from_addr)) {
		*reason_r = "refused-not-member";
		return 0;
	}
	if ((token = has_digest_token(st, m, err)) < 0)
		return -1;
	if (token == 0)
		*reason_r = "refused-no-token";
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

/* Appends snippets/NAME.txt rendered with vars (plus line, ref, state) to out. */
static int add_line(const struct config *cfg, GString *out, const char *name, GHashTable *vars,
		    const char *line, const char *ref, const char *state, struct err *err)
{
	g_hash_table_insert(vars, "line", g_strdup(line ? line : ""));
	g_hash_table_insert(vars, "ref", g_strdup(ref ? ref : ""));
	g_hash_table_insert(vars, "state", g_strdup(state ? state : ""));
	return template_snippet_append(cfg->templates.search, name, vars, out, err);
}

static int queue_to(struct store *st, const struct config *cfg, const struct mail *m,
		    const char *template_name, const char *to, GHashTable *vars, gint64 now,
		    struct err *err)
{
	return letter_queue_answer(st, cfg, 0, m, to, NULL, template_name, vars, now, err);
}

static int refuse(struct store *st, const struct config *cfg, const struct mail *m,
		  const char *reason, gint64 now, struct err *err)
{
	GHashTable *vars = reply_vars(cfg, m);
	GString *results = g_string_new(NULL);
	char *reason_text = NULL,
	     *detail = g_strdup_printf("from=%s reason=%s", m->from_addr, reason);
	int ret = -1;

	log_warn("decision refused from=%s reason=%s", m->from_addr, reason);
	if (template_snippet(cfg->templates.search, reason, vars, &reason_text, err) < 0)
		goto out;
	g_hash_table_insert(vars, "reason", g_strdup(reason_text));
	if (add_line(cfg, results, "transcript-refused", vars, NULL, NULL, NULL, err) < 0)
		goto out;
	g_hash_table_insert(vars, "results", g_strdup(results->str));
	if (store_event_add(st, 0, "decision-refused", detail, now, err) < 0 ||
	    queue_to(st, cfg, m, "decision_refused", cfg->commission.address, vars, now, err) < 0)
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

static int apply_line(struct store *st, const struct config *cfg, const struct mail *m,
		      const struct decision_line *d, GHashTable *vars, GString *out, gint64 now,
		      struct err *err)
{
	if (d->refs[0] == NULL)
		return add_line(cfg, out, "transcript-no-reference", vars, d->text, NULL, NULL,
				err);
	for (char **ref = d->refs; *ref != NULL; ref++) {
		struct application_decision in = { *ref, d->verdict, m->from_addr, m->message_id,
						   false };
		enum application_result result;
		enum app_state before;
		const char *state = NULL;
		char *snippet;
		int ret;

		if (application_decide(st, cfg, &in, now, &result, &before, err) < 0)
			return -1;
		if (result != APPLICATION_UNKNOWN)
			state = app_state_name(result == APPLICATION_APPLIED
						       ? decision_verdict_state(d->verdict)
						       : before);
		snippet = g_strconcat("transcript-", application_result_name(result), NULL);
		ret = add_line(cfg, out, snippet, vars, d->text, *ref, state, err);
		log_info("decision ref=%s verdict=%s by=%s result=%s", *ref,
			 decision_verdict_name(d->verdict), m->from_addr,
			 application_result_name(result));
		g_free(snippet);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int decide_all(struct store *st, const struct config *cfg, const struct mail *m, gint64 now,
		      struct err *err)
{
	struct decision_parse *p = decision_parse(m->body_text);
	GHashTable *vars = reply_vars(cfg, m);
	GString *out = g_string_new(NULL);
	int ret = 0;

	for (guint i = 0; ret == 0 && i < p->lines->len; i++)
		ret = apply_line(st, cfg, m, g_ptr_array_index(p->lines, i), vars, out, now, err);
	for (guint i = 0; ret == 0 && i < p->ignored->len; i++)
		ret = add_line(cfg, out, "transcript-ignored", vars,
			       g_ptr_array_index(p->ignored, i), NULL, NULL, err);
	if (ret == 0 && p->truncated)
		ret = add_line(cfg, out, "transcript-truncated", vars, NULL, NULL, NULL, err);
	if (ret == 0 && p->lines->len == 0)
		ret = add_line(cfg, out, "transcript-none", vars, NULL, NULL, NULL, err);
	if (ret == 0) {
		g_hash_table_insert(vars, "results", g_strdup(out->str));
		ret = queue_to(st, cfg, m, "decision_transcript", m->from_addr, vars, now, err);
	}
	g_string_free(out, TRUE);
	g_hash_table_destroy(vars);
	decision_parse_free(&p);
	return ret;
}

int commission_reply(struct store *st, const struct config *cfg, const struct ledger_source *src,
		     gint64 now, struct ledger_result *res, struct err *err)
{
	const struct mail *m = src->mail;
	const char *reason;
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
	    refusal(st, cfg, m, &reason, err) < 0)
		return -1;
	if (reason != NULL) {
		res->reply = "decision_refused";
		return refuse(st, cfg, m, reason, now, err);
	}
	res->reply = "decision_transcript";
	return decide_all(st, cfg, m, now, err);
}
