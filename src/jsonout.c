#include "jsonout.h"

void jsonout_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value == NULL)
		json_builder_add_null_value(b);
	else
		jsonout_value(b, value);
}

void jsonout_value(JsonBuilder *b, const char *value)
{
	char *valid;

	if (g_utf8_validate(value, -1, NULL)) {
		json_builder_add_string_value(b, value);
		return;
	}
	valid = g_utf8_make_valid(value, -1);
	json_builder_add_string_value(b, valid);
	g_free(valid);
}

void jsonout_int_or_null(JsonBuilder *b, const char *name, gint64 value, bool present)
{
	json_builder_set_member_name(b, name);
	if (present)
		json_builder_add_int_value(b, value);
	else
		json_builder_add_null_value(b);
}

char *jsonout_finish(JsonBuilder *b)
{
	JsonNode *root = json_builder_get_root(b);
	JsonGenerator *gen = json_generator_new();
	char *text;

	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	json_node_unref(root);
	g_object_unref(b);
	return text;
}
