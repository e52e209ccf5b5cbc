/* CV and letter recognition by file name, case by case. */
#include "testutil.h"

#include "documents.h"

struct name_case {
	const char *filename;
	enum doc_kind kind;
};

static const struct name_case cases[] = {
	{ "CV.pdf", DOC_CV },
	{ "cv_jose_garcia_2026.pdf", DOC_CV },
	{ "MyCV.PDF", DOC_CV },
	{ "Currículum Vítae José García.pdf", DOC_CV },
	{ "curriculum-vitae.docx", DOC_CV },
	{ "Résumé - Jane Doe.pdf", DOC_CV },
	{ "resume.pdf", DOC_CV },
	{ "Lebenslauf_Müller.pdf", DOC_CV },
	{ "elulookirjeldus.pdf", DOC_CV },
	{ "Hoja de vida.pdf", DOC_CV },
	{ "CV2026.pdf", DOC_CV },
	{ "Motivation letter.pdf", DOC_LETTER },
	{ "cover_letter.pdf", DOC_LETTER },
	{ "Letter of interest - AI4Gov.pdf", DOC_LETTER },
	{ "lettera di motivazione.pdf", DOC_LETTER },
	{ "Carta de motivación.PDF", DOC_LETTER },
	{ "lettre de motivation.odt", DOC_LETTER },
	{ "Motivationsschreiben.docx", DOC_LETTER },
	{ "Anschreiben.pdf", DOC_LETTER },
	{ "motivatsioonikiri.pdf", DOC_LETTER },
	{ "Statement of purpose.pdf", DOC_LETTER },
	{ "document1.pdf", DOC_OTHER },
	{ "scan.pdf", DOC_OTHER },
	{ "photo.jpg", DOC_OTHER },
	{ "cv_letter.pdf", DOC_OTHER }, /* both: undecided */
	{ "", DOC_OTHER },
	{ NULL, DOC_OTHER },
	{ "\xff\xfe broken utf-8 cv.pdf", DOC_OTHER },
};

static void test_classify_names(void **state)
{
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		enum doc_kind got = documents_classify_name(cases[i].filename);

		ROW_CHECK(failures, got == cases[i].kind, "\"%s\": expected %s, got %s",
			  cases[i].filename ? cases[i].filename : "(null)",
			  documents_kind_name(cases[i].kind), documents_kind_name(got));
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
