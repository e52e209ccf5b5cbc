#include "rollover.h"

#include "assessment.h"
#include "batch.h"
#include "compose.h"
#include "letter.h"
#include "template.h"
#include "timeutil.h"

/* One application kept for the next edition joins the edition that has opened. */
static int open_one(struct store *st, const struct config *cfg, const struct app_row *a,
		    const struct edition *ed, gint64 now, struct err *err)
{
	GHashTable *vars = letter_vars_new(cfg, a->name, a->email, a->ref, ed->name);
	struct assessment as = { 0 };
	char *closes = NULL, *status = NULL, *missing = NULL;
	int64_t batch_id = 0;
	bool complete;
	int ret = -1;

	if (assessment_of(st, a->ref, &as, err) < 0)
		goto out;
	complete = as.cv && as.letter;
	if (complete ? batch_for_time(st, cfg, now, &batch_id, &closes, err) < 0
		     : letter_missing_text(cfg, as.cv, as.letter, &missing, err) < 0)
		goto out;
	g_hash_table_insert(vars, "batch_closes", g_strdup(closes ? closes : ""));
	g_hash_table_insert(vars, "missing", g_strdup(missing ? missing : ""));
	if (template_snippet(cfg->templates.search,
			     complete ? "edition-open-complete" : "edition-open-incomplete", vars,
			     &status, err) < 0)
		goto out;
	g_hash_table_insert(vars, "status", g_strdup(status));
	if (store_application_set_edition(st, a->id, ed->name, err) == 0 &&
	    store_application_update(st, a->id, complete ? APP_PENDING : APP_INCOMPLETE, batch_id,
				     as.problems->str, complete ? now : 0, now, err) == 0 &&
	    store_event_add(st, a->id, "edition-open", ed->name, now, err) == 0 &&
	    letter_queue_to_applicant(st, cfg, a, "edition-open", vars, now, err) == 0)
		ret = 0;
out:
	assessment_clear(&as);
	g_hash_table_destroy(vars);
	g_free(closes);
	g_free(status);
	g_free(missing);
	return ret;
}

int rollover_open_editions(struct store *st, const struct config *cfg, gint64 now, int *moved_r,
			   struct err *err)
{
	struct app_filter f = { .by_state = true, .state = APP_NEXT_EDITION };
	const struct edition *ed;
	GPtrArray *apps = NULL;
	GDate today;
	int ret = 0;

	*moved_r = 0;
	time_day(now, &today);
	if ((ed = config_edition_on(cfg, &today)) == NULL)
		return 0;
	if (store_applications(st, &f, &apps, err) < 0)
		return -1;
	for (guint i = 0; i < apps->len && ret == 0; i++) {
		if (store_begin(st, err) < 0) {
			ret = -1;
			break;
		}
		ret = open_one(st, cfg, g_ptr_array_index(apps, i), ed, now, err);
		if (ret == 0)
			ret = store_commit(st, err);
		if (ret < 0)
			store_rollback(st);
		else
			(*moved_r)++;
	}
	g_ptr_array_free(apps, TRUE);
	return ret;
}
