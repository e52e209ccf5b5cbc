/* Template rendering: variables, the subject line, and errors naming file and line. */
#include "testutil.h"

#include "template.h"

struct template_case {
	const char *name;
	const char *text;
	const char *subject; /* expected; NULL: must fail */
	const char *body;    /* expected body, or the expected error text when failing */
};

static const struct template_case cases[] = {
	{ "plain", "Subject: Hello {{name}}\n\nDear {{name}},\nref {{ reference }}.\n", "Hello Ana",
	  "Dear Ana,\nref AI4G-2026-0001.\n" },
	{ "CRLF template", "Subject: Hi\r\n\r\nBody\r\n", "Hi", "Body\r\n" },
	{ "value with braces is not re-expanded", "Subject: x\n\n{{tricky}}\n", "x", "{{name}}\n" },
	{ "unknown variable", "Subject: x\n\nline two\n{{nmae}}\n", NULL,
	  "t.txt:4: unknown variable {{nmae}}" },
	{ "unknown variable in subject", "Subject: {{oops}}\n\nbody\n", NULL,
	  "t.txt:1: unknown variable {{oops}}" },
	{ "unclosed", "Subject: x\n\nDear {{name\n", NULL, "t.txt:3: \"{{\" without \"}}\"" },
	{ "no subject", "Dear {{name}}\n", NULL, "t.txt:1: the first line must be" },
	{ "no empty line", "Subject: x\nbody\n", NULL, "t.txt:2: an empty line must follow" },
};

static void test_template_table(void **state)
{
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);
	int failures = 0;

	(void)state;
	g_hash_table_insert(vars, "name", "Ana");
	g_hash_table_insert(vars, "reference", "AI4G-2026-0001");
	g_hash_table_insert(vars, "tricky", "{{name}}");
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct template_case *c = &cases[i];
		char *subject = NULL, *body = NULL;
		struct err err = { 0 };
		int rc = template_render_text("t.txt", c->text, vars, &subject, &body, &err);

		if (c->subject != NULL)
			ROW_CHECK(failures,
				  rc == 0 && strcmp(subject, c->subject) == 0 &&
					  strcmp(body, c->body) == 0,
				  "%s: got rc=%d subject=%s body=%s err=%s", c->name, rc,
				  subject ? subject : "-", body ? body : "-", err.text);
		else
			ROW_CHECK(failures,
				  rc < 0 && err.class == ERR_CONFIG && strstr(err.text, c->body),
				  "%s: expected error \"%s\", got rc=%d \"%s\"", c->name, c->body,
				  rc, err.text);
		g_free(subject);
		g_free(body);
	}
	g_hash_table_destroy(vars);
	assert_int_equal(failures, 0);
}

/* The templates we ship render with the variables intake provides. */
static void test_shipped_templates(void **state)
{
	static const char *const names[] = { "acknowledgement", "incomplete", "next-edition" };
	char *dir = g_build_filename(TEST_SOURCE_DIR, "..", "templates", NULL);
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);
	static const char *const keys[] = {
		"name",	   "email",	   "reference", "programme", "registration_url",
		"edition", "batch_closes", "missing",	"notes"
	};

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		g_hash_table_insert(vars, (gpointer)keys[i], "VALUE");
	g_hash_table_insert(vars, "reference", "AI4G-2026-0042");
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		char *subject = NULL, *body = NULL;
		struct err err = { 0 };

		assert_int_equal(template_render(dir, names[i], vars, &subject, &body, &err), 0);
		assert_non_null(strstr(subject, "AI4G-2026-0042"));
		assert_non_null(strstr(body, "AI4G-2026-0042"));
		g_free(subject);
		g_free(body);
	}
	struct err err = { 0 };
	char *s = NULL, *b = NULL;
	assert_int_equal(template_render(dir, "no-such-template", vars, &s, &b, &err), -1);
	assert_int_equal(err.class, ERR_FATAL);
	assert_non_null(strstr(err.text, "no-such-template: not one that admitd renders"));
	g_hash_table_destroy(vars);
	g_free(dir);
}

/* A template gets exactly its spec's variables: one the spec does not list is unknown even when
 * the caller has it; one the spec lists and the caller lacks is admitd's bug, not the office's;
 * a name without a spec is never rendered. */
static void test_spec_decides_the_variables(void **state)
{
	char *dir = test_tmpdir();
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);
	char *subject = NULL, *body = NULL;
	struct err err = { 0 };

	(void)state;
	g_free(test_write_file(dir, "delivery-failures.txt",
			       "Subject: {{programme}} {{count}}\n\n{{failures}} {{batch}}\n"));
	g_hash_table_insert(vars, "programme", "P");
	g_hash_table_insert(vars, "count", "2");
	g_hash_table_insert(vars, "failures", "F");
	g_hash_table_insert(vars, "batch", "7");
	assert_int_equal(template_render(dir, "delivery-failures", vars, &subject, &body, &err),
			 -1);
	assert_int_equal(err.class, ERR_CONFIG);
	assert_non_null(strstr(err.text, "delivery-failures.txt:3: unknown variable {{batch}}"));
	g_free(test_write_file(dir, "delivery-failures.txt",
			       "Subject: {{programme}} {{count}}\n\n{{failures}}\n"));
	g_hash_table_remove(vars, "count");
	err = (struct err){ 0 };
	assert_int_equal(template_render(dir, "delivery-failures", vars, &subject, &body, &err),
			 -1);
	assert_int_equal(err.class, ERR_FATAL);
	assert_non_null(strstr(err.text, "{{count}} was not filled (by outbox.c"));
	g_hash_table_insert(vars, "count", "2");
	assert_int_equal(template_render(dir, "delivery-failures", vars, &subject, &body, &err), 0);
	assert_string_equal(subject, "P 2");
	g_free(subject);
	g_free(body);
	err = (struct err){ 0 };
	assert_int_equal(template_render(dir, "made-up", vars, &subject, &body, &err), -1);
	assert_int_equal(err.class, ERR_FATAL);
	g_hash_table_destroy(vars);
	g_free(dir);
}

/* A local folder overrides the shipped templates file by file. */
static void test_local_override(void **state)
{
	char *top = test_tmpdir();
	char *local = g_build_filename(top, "local", NULL),
	     *shipped = g_build_filename(top, "shipped", NULL);
	char *search = g_strconcat(local, ":", shipped, NULL);
	char *subject = NULL, *body = NULL;
	struct err err = { 0 };

	(void)state;
	g_mkdir(local, 0700);
	g_mkdir(shipped, 0700);
	for (int i = 0; i < 2; i++) {
		char *snippets = g_build_filename(i ? local : shipped, "snippets", NULL);

		g_mkdir(snippets, 0700);
		g_free(snippets);
	}
	g_free(test_write_file(local, "snippets/missing-cv.txt", "local\n"));
	g_free(test_write_file(shipped, "snippets/missing-cv.txt", "shipped\n"));
	g_free(test_write_file(shipped, "snippets/missing-letter.txt", "shipped letter\n"));
	assert_int_equal(template_snippet(search, "missing-cv", NULL, &subject, &err), 0);
	assert_string_equal(subject, "local");
	g_free(subject);
	assert_int_equal(template_snippet(search, "missing-letter", NULL, &subject, &err), 0);
	assert_string_equal(subject, "shipped letter");
	g_free(subject);
	assert_int_equal(template_snippet(search, "note-cv-too-long", NULL, &body, &err), -1);
	assert_non_null(strstr(err.text, "shipped/snippets/note-cv-too-long.txt"));
	g_free(search);
	g_free(local);
	g_free(shipped);
	g_free(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_table),
		cmocka_unit_test(test_shipped_templates),
		cmocka_unit_test(test_local_override),
		cmocka_unit_test(test_spec_decides_the_variables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
