/* What tools read: --json and --csv stay valid UTF-8 whatever bytes a sender's mail client put
 * in a name or a file name, and a CSV cell a spreadsheet would run as a formula is defused. */
#include "testutil.h"

#include <json-glib/json-glib.h>

#include "report.h"
#include "store.h"

static GPtrArray *one_application(const char *name, const char *filename)
{
	GPtrArray *apps = g_ptr_array_new_with_free_func(app_row_free);
	struct app_row *a = g_new0(struct app_row, 1);
	struct doc_row *d = g_new0(struct doc_row, 1);

	a->ref = g_strdup("AI4G-2026-0001");
	a->email = g_strdup("eve@example.net");
	a->name = g_strdup(name);
	a->edition = g_strdup("2026-2027");
	a->received_at = g_strdup("2026-03-02T09:15:00Z");
	a->problems = g_strdup("");
	a->documents = g_ptr_array_new_with_free_func(store_doc_row_free);
	d->kind = g_strdup("cv");
	d->filename = g_strdup(filename);
	d->content_type = g_strdup("application/pdf");
	d->format = g_strdup("pdf");
	d->pages = 2;
	g_ptr_array_add(a->documents, d);
	g_ptr_array_add(apps, a);
	return apps;
}

static void test_json_is_always_utf8(void **state)
{
	GPtrArray *apps = one_application("Eve \xff\xfe Adams", "CV \xc3(.pdf");
	char *json = report_applications_json(apps);
	JsonParser *p = json_parser_new();

	(void)state;
	assert_true(g_utf8_validate(json, -1, NULL));
	assert_true(json_parser_load_from_data(p, json, -1, NULL));
	assert_non_null(strstr(json, "Eve \xef\xbf\xbd\xef\xbf\xbd Adams")); /* U+FFFD twice */
	g_object_unref(p);
	g_free(json);
	g_ptr_array_free(apps, TRUE);
}

static char *csv_of(GPtrArray *apps)
{
	FILE *out = tmpfile();
	GString *text = g_string_new(NULL);
	int c;

	assert_non_null(out);
	report_applications_csv(out, apps);
	rewind(out);
	while ((c = fgetc(out)) != EOF)
		g_string_append_c(text, (char)c);
	fclose(out);
	return g_string_free(text, FALSE);
}

static void test_csv_defuses_formulas(void **state)
{
	static const char *const names[] = { "=HYPERLINK(\"http://evil.example\",\"CV\")", "+1+1",
					     "-2+3", "@SUM(A1:A9)", "\tTab" };
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		GPtrArray *apps = one_application(names[i], "cv.pdf");
		char *csv = csv_of(apps);
		char *line = strchr(csv, '\n') + 1;
		char **cells = g_strsplit(line, ",", 3);

		ROW_CHECK(failures, cells[1] != NULL && g_str_has_prefix(cells[1], "\"'"),
			  "%s: the name cell is %s", names[i], cells[1] ? cells[1] : "(none)");
		g_strfreev(cells);
		g_free(csv);
		g_ptr_array_free(apps, TRUE);
	}
	assert_int_equal(failures, 0);

	GPtrArray *apps = one_application("Ana \xff Lopez", "cv.pdf");
	char *csv = csv_of(apps);

	assert_true(g_utf8_validate(csv, -1, NULL));
	assert_non_null(strstr(csv, ",Ana \xef\xbf\xbd Lopez,")); /* an ordinary name stays plain */
	g_free(csv);
	g_ptr_array_free(apps, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_is_always_utf8),
		cmocka_unit_test(test_csv_defuses_formulas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
