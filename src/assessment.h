/* assessment.h — what an application's current documents say: whether the CV and the letter
 * are there, and the problems the commission will see (missing-cv, cv-too-long,
 * unreadable-document ...). Intake and the edition rollover decide the state from it. */
#ifndef ADMITD_ASSESSMENT_H
#define ADMITD_ASSESSMENT_H

#include <stdbool.h>

#include <glib.h>

#include "err.h"
#include "store.h"

struct assessment {
	bool cv, letter;
	GString *problems; /* owned; "missing-cv cv-too-long ...", missing documents first */
};

/* Fills *a (release with assessment_clear) from the application `ref`; ERR_FATAL when there
 * is no such application. */
int assessment_of(struct store *st, const char *ref, struct assessment *a, struct err *err);
void assessment_clear(struct assessment *a);

#endif
