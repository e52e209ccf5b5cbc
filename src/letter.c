#include "letter.h"

#include "log.h"
#include "template.h"
#include "template_spec.h"

GHashTable *letter_vars_new(const struct config *cfg, const char *name, const char *email,
			    const char *ref, const char *edition)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	g_hash_table_insert(vars, "name", g_strdup(name && name[0] ? name : email));
	g_hash_table_insert(vars, "email", g_strdup(email));
	g_hash_table_insert(vars, "reference", g_strdup(ref));
	g_hash_table_insert(vars, "programme", g_strdup(cfg->programme.name));
	g_hash_table_insert(vars, "registration_url", g_strdup(cfg->programme.registration_url));
	g_hash_table_insert(vars, "edition", g_strdup(edition ? edition : ""));
	return vars;
}

int letter_queue_reply(struct store *st, const struct config *cfg, int64_t application_id,
		       const struct compose_in *in, gint64 now, bool *held_r, char **message_id_r,
		       struct err *err)
{
	int to_one, to_all;

	*held_r = false;
	if (store_outbox_count_since(st, in->to_addr, now - 86400, &to_one, err) < 0 ||
	    store_outbox_count_since(st, NULL, now - 3600, &to_all, err) < 0)
		return -1;
	if (to_one >= cfg->limits.replies_per_address_per_day ||
	    to_all >= cfg->limits.replies_per_hour) {
		char *detail = g_strdup_printf("to=%s template=%s", in->to_addr, in->template_name);
		int ret = store_event_add(st, application_id, "reply-held", detail, now, err);

		log_warn("reply held application=%" G_GINT64_FORMAT " template=%s: %s",
			 application_id, in->template_name,
			 to_one >= cfg->limits.replies_per_address_per_day
				 ? "limits.replies_per_address_per_day reached"
				 : "limits.replies_per_hour reached");
		g_free(detail);
		*held_r = true;
		return ret < 0 ? -1 : store_state_increment(st, "replies_held", err);
	}
	return letter_queue(st, cfg, application_id, in, now, message_id_r, err);
}

int letter_queue(struct store *st, const struct config *cfg, int64_t application_id,
		 const struct compose_in *in, gint64 now, char **message_id_r, struct err *err)
{
	char *mid = NULL;
	GBytes *bytes = NULL;
	gsize len;
	int ret;

	if (compose_message(cfg, in, now, &mid, &bytes, err) < 0)
		return -1;
	const void *data = g_bytes_get_data(bytes, &len);
	struct outbox_new row = { application_id, in->template_name, in->to_addr, mid, data, len };
	ret = store_outbox_insert(st, &row, now, err);
	g_bytes_unref(bytes);
	if (ret == 0 && message_id_r != NULL)
		*message_id_r = mid;
	else
		g_free(mid);
	return ret;
}

int letter_queue_to_applicant(struct store *st, const struct config *cfg, const struct app_row *a,
			      const char *template_name, GHashTable *vars, gint64 now,
			      struct err *err)
{
	struct compose_in in = {
		.template_name = template_name,
		.vars = vars,
		.to_addr = a->email,
		.to_name = a->name,
		.in_reply_to = a->thread_message_id,
		.auto_submitted = "auto-generated",
	};

	return letter_queue(st, cfg, a->id, &in, now, NULL, err);
}

int letter_queue_answer(struct store *st, const struct config *cfg, int64_t application_id,
			const struct mail *m, const char *to_addr, const char *to_name,
			const char *template_name, GHashTable *vars, bool limited, gint64 now,
			struct err *err)
{
	struct compose_in in = {
		.template_name = template_name,
		.vars = vars,
		.to_addr = to_addr,
		.to_name = to_name,
		.in_reply_to = m->message_id,
		.references = m->references,
		.auto_submitted = "auto-replied",
	};
	bool held;

	if (!limited)
		return letter_queue(st, cfg, application_id, &in, now, NULL, err);
	return letter_queue_reply(st, cfg, application_id, &in, now, &held, NULL, err);
}

struct compose_in letter_internal(const char *template_name, GHashTable *vars, const char *to_addr)
{
	return (struct compose_in){
		.template_name = template_name,
		.vars = vars,
		.to_addr = to_addr,
		.auto_submitted = "auto-generated",
	};
}

/* "- your CV ...\n- your letter ...": the snippets for what is missing. */
int letter_missing_text(const struct config *cfg, bool cv, bool letter, char **text_r,
			struct err *err)
{
	GString *out = g_string_new(NULL);
	const char *names[2] = { cv ? NULL : "missing-cv", letter ? NULL : "missing-letter" };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (names[i] != NULL &&
		    template_snippet_append(cfg->templates.search, names[i], NULL, out, err) < 0) {
			g_string_free(out, TRUE);
			return -1;
		}
	}
	*text_r = g_string_free(out, FALSE);
	return 0;
}

/* Renders one spec'd template or snippet with a sample value for each of its variables. */
static int check_one(const struct config *cfg, const struct template_spec *spec, struct err *err)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char **names = template_spec_names(spec);
	char *subject = NULL, *body = NULL;
	int ret;

	for (char **n = names; *n != NULL; n++)
		g_hash_table_insert(vars, g_strdup(*n), "SAMPLE");
	if (spec->snippet)
		ret = template_snippet(cfg->templates.search, spec->name, vars, &body, err);
	else
		ret = template_render(cfg->templates.search, spec->name, vars, &subject, &body,
				      err);
	g_strfreev(names);
	g_free(subject);
	g_free(body);
	g_hash_table_destroy(vars);
	return ret;
}

int letter_check_templates(const struct config *cfg, struct err *err)
{
	size_t count;
	const struct template_spec *specs = template_spec_all(&count);

	for (size_t i = 0; i < count; i++)
		if (check_one(cfg, &specs[i], err) < 0)
			return -1;
	return 0;
}
