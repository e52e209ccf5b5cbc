#include "assessment.h"

#include <string.h>

static void note_problem(struct assessment *a, const char *problem)
{
	if (strstr(a->problems->str, problem) != NULL)
		return;
	g_string_append_printf(a->problems, "%s%s", a->problems->len ? " " : "", problem);
}

int assessment_of(struct store *st, const char *ref, struct assessment *a, struct err *err)
{
	struct app_filter f = { .ref = ref };
	GPtrArray *apps = NULL;

	a->cv = a->letter = false;
	a->problems = g_string_new(NULL);
	if (store_applications(st, &f, &apps, err) < 0 || apps->len != 1) {
		if (apps != NULL)
			g_ptr_array_free(apps, TRUE);
		return err->class != ERR_NONE ? -1
					      : err_set(err, ERR_FATAL, "no application %s", ref);
	}
	const struct app_row *app = g_ptr_array_index(apps, 0);
	for (guint i = 0; i < app->documents->len; i++) {
		const struct doc_row *d = g_ptr_array_index(app->documents, i);

		a->cv |= strcmp(d->kind, "cv") == 0;
		a->letter |= strcmp(d->kind, "letter") == 0;
		if (strcmp(d->kind, "cv") == 0 && d->pages > 2)
			note_problem(a, "cv-too-long");
		if (strcmp(d->kind, "letter") == 0 && d->pages > 1)
			note_problem(a, "letter-too-long");
		if (d->problem != NULL)
			note_problem(a, d->problem);
	}
	g_ptr_array_free(apps, TRUE);
	/* Missing documents first: they are what the applicant must act on. */
	if (!a->letter)
		g_string_prepend(a->problems,
				 a->problems->len ? "missing-letter " : "missing-letter");
	if (!a->cv)
		g_string_prepend(a->problems, a->problems->len ? "missing-cv " : "missing-cv");
	return 0;
}

void assessment_clear(struct assessment *a)
{
	if (a->problems != NULL)
		g_string_free(a->problems, TRUE);
	*a = (struct assessment){ 0 };
}
