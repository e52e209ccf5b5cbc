#include "digest_parts.h"

#include <string.h>

#include "store.h"

gint64 digest_attachment_wire_bytes(gint64 size)
{
	gint64 b64 = (size + 2) / 3 * 4;

	return b64 + (b64 + 75) / 76 * 2 + 512;
}

/* The documents the digest attaches: all but those of kind "other" (digest.c). */
gint64 digest_app_wire_bytes(const void *app)
{
	const struct app_row *a = app;
	gint64 total = 0;

	for (guint k = 0; k < a->documents->len; k++) {
		const struct doc_row *d = g_ptr_array_index(a->documents, k);

		if (strcmp(d->kind, "other") != 0)
			total += digest_attachment_wire_bytes(MAX(d->size, 0));
	}
	return total;
}

static struct digest_part *part_new(bool without_documents)
{
	struct digest_part *p = g_new0(struct digest_part, 1);

	p->apps = g_ptr_array_new();
	p->without_documents = without_documents;
	return p;
}

static void part_free(gpointer p)
{
	g_ptr_array_free(((struct digest_part *)p)->apps, TRUE);
	g_free(p);
}

GPtrArray *digest_parts_plan(GPtrArray *apps, gint64 max_bytes)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(part_free);
	struct digest_part *open = NULL;
	gint64 used = 0;

	for (guint i = 0; i < apps->len; i++) {
		gpointer a = g_ptr_array_index(apps, i);
		gint64 cost = DIGEST_ROW_BYTES + digest_app_wire_bytes(a);

		if (DIGEST_PART_BASE_BYTES + cost > max_bytes) {
			struct digest_part *alone = part_new(true);

			g_ptr_array_add(alone->apps, a);
			g_ptr_array_add(parts, alone);
			open = NULL;
			continue;
		}
		if (open == NULL || used + cost > max_bytes) {
			open = part_new(false);
			g_ptr_array_add(parts, open);
			used = DIGEST_PART_BASE_BYTES;
		}
		g_ptr_array_add(open->apps, a);
		used += cost;
	}
	return parts;
}

void digest_parts_free(GPtrArray *parts)
{
	if (parts != NULL)
		g_ptr_array_free(parts, TRUE);
}
