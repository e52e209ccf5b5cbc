#include "documents.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "docworker.h"

struct doc_word {
	const char *word; /* lower-case ASCII, as after transliteration */
	enum doc_kind kind;
	int weight;
};

/* Whole words weigh their weight; words of six letters or more also count, one less, inside a
 * longer word ("lebenslaufjose", "myresume"). "cv" counts at the edge of a word ("mycv"). */
static const struct doc_word doc_words[] = {
	{ "cv", DOC_CV, 3 },
	{ "resume", DOC_CV, 3 },
	{ "curriculum", DOC_CV, 3 },
	{ "vitae", DOC_CV, 2 },
	{ "vita", DOC_CV, 2 },
	{ "lebenslauf", DOC_CV, 3 },
	{ "elulookirjeldus", DOC_CV, 3 },
	{ "elulugu", DOC_CV, 2 },
	{ "hoja", DOC_CV, 1 },
	{ "vida", DOC_CV, 1 },
	{ "letter", DOC_LETTER, 3 },
	{ "lettera", DOC_LETTER, 3 },
	{ "lettre", DOC_LETTER, 3 },
	{ "carta", DOC_LETTER, 3 },
	{ "brief", DOC_LETTER, 2 },
	{ "motivation", DOC_LETTER, 3 },
	{ "motivazione", DOC_LETTER, 3 },
	{ "motivacion", DOC_LETTER, 3 },
	{ "motivationsschreiben", DOC_LETTER, 3 },
	{ "anschreiben", DOC_LETTER, 3 },
	{ "motivatsioonikiri", DOC_LETTER, 3 },
	{ "kaaskiri", DOC_LETTER, 3 },
	{ "cover", DOC_LETTER, 2 },
	{ "interest", DOC_LETTER, 2 },
	{ "interes", DOC_LETTER, 2 },
	{ "interesse", DOC_LETTER, 2 },
	{ "intent", DOC_LETTER, 2 },
	{ "presentacion", DOC_LETTER, 2 },
	{ "presentazione", DOC_LETTER, 2 },
	{ "statement", DOC_LETTER, 2 },
};

const char *documents_kind_name(enum doc_kind kind)
{
	switch (kind) {
	case DOC_CV:
		return "cv";
	case DOC_LETTER:
		return "letter";
	case DOC_OTHER:
		break;
	}
	return "other";
}

static int word_score(const char *token, const struct doc_word *w)
{
	size_t tlen = strlen(token), wlen = strlen(w->word);

	if (strcmp(token, w->word) == 0)
		return w->weight;
	if (wlen >= 6 && strstr(token, w->word) != NULL)
		return w->weight - 1;
	if (wlen == 2 && tlen > 2 && tlen <= 8 &&
	    (g_str_has_prefix(token, w->word) || g_str_has_suffix(token, w->word)))
		return w->weight - 1;
	return 0;
}

/* Letters and digits make separate words: "CV2026" is "cv" and "2026". */
static char **split_words(const char *ascii)
{
	GPtrArray *words = g_ptr_array_new();
	GString *cur = g_string_new(NULL);

	for (const char *p = ascii;; p++) {
		bool same = *p != '\0' && cur->len > 0 && g_ascii_isalnum(*p) &&
			    (g_ascii_isdigit(*p) == g_ascii_isdigit(cur->str[cur->len - 1]));

		if (!same && cur->len > 0) {
			g_ptr_array_add(words, g_string_free(cur, FALSE));
			cur = g_string_new(NULL);
		}
		if (*p == '\0')
			break;
		if (g_ascii_isalnum(*p))
			g_string_append_c(cur, g_ascii_tolower(*p));
	}
	g_string_free(cur, TRUE);
	g_ptr_array_add(words, NULL);
	return (char **)g_ptr_array_free(words, FALSE);
}

enum doc_kind documents_classify_name(const char *filename)
{
	int score[3] = { 0, 0, 0 };
	char *ascii, *dot, **words;

	if (filename == NULL || !g_utf8_validate(filename, -1, NULL))
		return DOC_OTHER;
	ascii = g_str_to_ascii(filename, "C");
	/* The extension is not a word of the name ("cv.pdf" must not score "pdf"). */
	if ((dot = strrchr(ascii, '.')) != NULL && strlen(dot) <= 5)
		*dot = '\0';
	words = split_words(ascii);
	for (char **t = words; *t != NULL; t++)
		for (size_t i = 0; i < G_N_ELEMENTS(doc_words); i++)
			score[doc_words[i].kind] += word_score(*t, &doc_words[i]);
	g_strfreev(words);
	g_free(ascii);
	if (score[DOC_CV] > score[DOC_LETTER])
		return DOC_CV;
	if (score[DOC_LETTER] > score[DOC_CV])
		return DOC_LETTER;
	return DOC_OTHER;
}

/* Marks of each kind on a first page, lower-case ASCII after transliteration. Phrases match
 * anywhere; weights add up. */
static const struct doc_word text_words[] = {
	/* CV sections */
	{ "curriculum vitae", DOC_CV, 4 },
	{ "education", DOC_CV, 2 },
	{ "work experience", DOC_CV, 3 },
	{ "professional experience", DOC_CV, 3 },
	{ "experience", DOC_CV, 1 },
	{ "skills", DOC_CV, 2 },
	{ "languages", DOC_CV, 1 },
	{ "publications", DOC_CV, 1 },
	{ "formacion academica", DOC_CV, 3 },
	{ "experiencia profesional", DOC_CV, 3 },
	{ "experiencia laboral", DOC_CV, 3 },
	{ "istruzione", DOC_CV, 2 },
	{ "esperienza", DOC_CV, 2 },
	{ "competenze", DOC_CV, 2 },
	{ "ausbildung", DOC_CV, 2 },
	{ "berufserfahrung", DOC_CV, 3 },
	{ "kenntnisse", DOC_CV, 1 },
	{ "haridus", DOC_CV, 2 },
	{ "tookogemus", DOC_CV, 3 },
	{ "formation", DOC_CV, 1 },
	{ "experience professionnelle", DOC_CV, 3 },
	/* letter marks */
	{ "dear ", DOC_LETTER, 3 },
	{ "to whom it may concern", DOC_LETTER, 3 },
	{ "i am writing", DOC_LETTER, 3 },
	{ "letter of", DOC_LETTER, 2 },
	{ "motivation", DOC_LETTER, 2 },
	{ "my interest", DOC_LETTER, 2 },
	{ "commission", DOC_LETTER, 1 },
	{ "sincerely", DOC_LETTER, 2 },
	{ "kind regards", DOC_LETTER, 2 },
	{ "estimad", DOC_LETTER, 3 },
	{ "atentamente", DOC_LETTER, 2 },
	{ "egregi", DOC_LETTER, 3 },
	{ "gentile", DOC_LETTER, 2 },
	{ "cordiali saluti", DOC_LETTER, 2 },
	{ "sehr geehrte", DOC_LETTER, 3 },
	{ "mit freundlichen", DOC_LETTER, 2 },
	{ "lugupeetud", DOC_LETTER, 3 },
	{ "madame, monsieur", DOC_LETTER, 3 },
};

enum doc_kind documents_classify_text(const char *text, int pages)
{
	int score[3] = { 0, 0, 0 };
	char *ascii, *lower;

	if (text == NULL || text[0] == '\0' || !g_utf8_validate(text, -1, NULL))
		return DOC_OTHER;
	ascii = g_str_to_ascii(text, "C");
	lower = g_ascii_strdown(ascii, -1);
	for (size_t i = 0; i < G_N_ELEMENTS(text_words); i++)
		if (strstr(lower, text_words[i].word) != NULL)
			score[text_words[i].kind] += text_words[i].weight;
	g_free(ascii);
	g_free(lower);
	/* A letter fits on one page; a one-page document with a letter's marks is one. */
	if (pages == 1 && score[DOC_LETTER] >= 3 && score[DOC_LETTER] >= score[DOC_CV] - 1)
		return DOC_LETTER;
	if (score[DOC_CV] >= 3 && score[DOC_CV] > score[DOC_LETTER])
		return DOC_CV;
	if (score[DOC_LETTER] >= 3 && score[DOC_LETTER] > score[DOC_CV])
		return DOC_LETTER;
	return DOC_OTHER;
}

enum doc_kind documents_classify(const char *filename, const struct doc_facts *facts)
{
	enum doc_kind by_name = documents_classify_name(filename);

	if (by_name != DOC_OTHER || facts == NULL)
		return by_name;
	return documents_classify_text(facts->text, facts->pages);
}

bool documents_supported(enum doc_format f)
{
	return f == FORMAT_PDF || f == FORMAT_DOCX || f == FORMAT_ODT;
}

bool documents_ignorable(const struct mail_attachment *a, const struct doc_facts *facts)
{
	bool image = facts->format == FORMAT_IMAGE || g_str_has_prefix(a->content_type, "image/");

	if (facts->format == FORMAT_CALENDAR || strcmp(a->content_type, "text/calendar") == 0 ||
	    strcmp(a->content_type, "application/ics") == 0)
		return true;
	/* Only an image the text shows is part of the text (a logo); any other is a document,
	 * a scanned CV among them. */
	return image && a->shown_in_html;
}

struct documents_job {
	const struct mail *const *mails; /* borrowed */
	size_t n;
	struct doc_facts *all; /* every attachment's, in order */
	struct docworker_job *worker;
};

struct documents_job *documents_inspect_start(const struct mail *const *mails, size_t n,
					      struct err *err)
{
	struct documents_job *job = g_new0(struct documents_job, 1);
	GArray *docs = g_array_new(FALSE, FALSE, sizeof(struct doc_ref));
	GArray *want_text = g_array_new(FALSE, FALSE, sizeof(bool));

	job->mails = mails;
	job->n = n;
	for (size_t i = 0; i < n; i++)
		for (guint k = 0; k < mails[i]->attachments->len; k++) {
			const struct mail_attachment *a = g_ptr_array_index(mails[i]->attachments,
									    k);
			/* The text only classifies a document its name does not (documents_classify). */
			bool text = documents_classify_name(a->filename) == DOC_OTHER;
			struct doc_ref doc = { a->path, a->offset, a->size, (unsigned)i };

			g_array_append_val(docs, doc);
			g_array_append_val(want_text, text);
		}
	job->all = g_new0(struct doc_facts, MAX(docs->len, 1));
	job->worker = docworker_start((const struct doc_ref *)(void *)docs->data,
				      (const bool *)(void *)want_text->data, docs->len, job->all,
				      err);
	g_array_free(docs, TRUE);
	g_array_free(want_text, TRUE);
	if (job->worker == NULL)
		documents_job_free(&job);
	return job;
}

int documents_inspect_finish(struct documents_job **jobp, struct doc_facts **facts_r,
			     struct err *err)
{
	struct documents_job *job = *jobp;
	int ret = docworker_finish(&job->worker, err);
	size_t at = 0;

	for (size_t i = 0; ret == 0 && i < job->n; i++) {
		guint len = job->mails[i]->attachments->len;

		facts_r[i] = g_new0(struct doc_facts, MAX(len, 1));
		memcpy(facts_r[i], job->all + at, len * sizeof(*job->all));
		at += len;
	}
	documents_job_free(jobp);
	return ret;
}

void documents_job_free(struct documents_job **jobp)
{
	struct documents_job *job = *jobp;

	if (job == NULL)
		return;
	docworker_job_free(&job->worker);
	g_free(job->all);
	g_free(job);
	*jobp = NULL;
}

int documents_inspect_mails(const struct mail *const *mails, size_t n, struct doc_facts **facts_r,
			    struct err *err)
{
	struct documents_job *job = documents_inspect_start(mails, n, err);

	return job == NULL ? -1 : documents_inspect_finish(&job, facts_r, err);
}

int documents_inspect_all(const struct mail *m, struct doc_facts **facts_r, struct err *err)
{
	return documents_inspect_mails(&m, 1, facts_r, err);
}

static const char *problem_of(const struct doc_facts *facts, enum doc_kind kind)
{
	if (facts->unreadable)
		return "unreadable-document";
	if (kind != DOC_OTHER && !documents_supported(facts->format))
		return "unsupported-format";
	return NULL;
}

/* "CV.pdf" + "document1.pdf": the second must be the letter. */
static void complete_pair(GArray *plan)
{
	int cv = 0, letter = 0, unknown = 0;
	struct doc_plan *candidate = NULL;

	for (guint i = 0; i < plan->len; i++) {
		struct doc_plan *p = &g_array_index(plan, struct doc_plan, i);

		cv += p->kind == DOC_CV;
		letter += p->kind == DOC_LETTER;
		if (p->kind == DOC_OTHER && documents_supported(p->facts->format) &&
		    !p->facts->unreadable) {
			unknown++;
			candidate = p;
		}
	}
	if (unknown == 1 && cv + letter == 1)
		candidate->kind = cv ? DOC_LETTER : DOC_CV;
}

GArray *documents_plan(const struct mail *m, const struct doc_facts *facts)
{
	GArray *plan = g_array_new(FALSE, FALSE, sizeof(struct doc_plan));

	for (guint i = 0; i < m->attachments->len; i++) {
		const struct mail_attachment *a = g_ptr_array_index(m->attachments, i);
		struct doc_plan p = { a, &facts[i], DOC_OTHER, NULL };

		if (documents_ignorable(a, &facts[i]))
			continue;
		p.kind = documents_classify(a->filename, &facts[i]);
		g_array_append_val(plan, p);
	}
	complete_pair(plan);
	for (guint i = 0; i < plan->len; i++) {
		struct doc_plan *p = &g_array_index(plan, struct doc_plan, i);

		p->problem = problem_of(p->facts, p->kind);
		/* A CV in .doc is not a CV we can give the commission: "other", with the note. */
		if (p->problem != NULL && strcmp(p->problem, "unsupported-format") == 0)
			p->kind = DOC_OTHER;
	}
	return plan;
}
