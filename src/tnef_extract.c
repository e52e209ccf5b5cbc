#include "tnef_extract.h"

#include <stdbool.h>
#include <stdio.h> /* before ytnef.h, which needs FILE */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <ytnef.h>

#include "fdio.h"

/* A string property, its UTF-16 form first (libytnef gives it as UTF-8), or NULL. */
static const variableLength *string_prop(MAPIProps *props, unsigned int id)
{
	variableLength *v = MAPIFindProperty(props, PROP_TAG(PT_UNICODE, id));

	if (v == MAPI_UNDEFINED)
		v = MAPIFindProperty(props, PROP_TAG(PT_STRING8, id));
	return v == MAPI_UNDEFINED || v->data == NULL || v->size <= 0 ? NULL : v;
}

/* Valid UTF-8 of at most TNEF_TEXT_MAX bytes: an 8-bit name in the sender's code page keeps
 * its ASCII (the parent makes it one safe line). */
static char *text_of(const variableLength *v)
{
	char *raw = v != NULL ? g_strndup((const char *)v->data, (gsize)v->size) : g_strdup("");
	char *valid = g_utf8_make_valid(raw, -1);

	if (strlen(valid) > TNEF_TEXT_MAX)
		*g_utf8_find_prev_char(valid, valid + TNEF_TEXT_MAX + 1) = '\0';
	g_free(raw);
	return valid;
}

/* The name Outlook showed: the long one, else the 8.3 one, else the title. */
static char *name_of(Attachment *a)
{
	static const unsigned int ids[] = { PR_ATTACH_LONG_FILENAME, PR_ATTACH_FILENAME,
					    PR_DISPLAY_NAME };
	const variableLength *v = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(ids) && v == NULL; i++)
		v = string_prop(&a->MAPI, ids[i]);
	if (v == NULL && a->Title.data != NULL && a->Title.size > 0)
		v = &a->Title;
	return text_of(v);
}

static char *mime_of(Attachment *a)
{
	return text_of(string_prop(&a->MAPI, PR_ATTACH_MIME_TAG));
}

/* The content: an attached object's data (after its 16-byte class id), else the file data. */
static bool content_of(Attachment *a, const BYTE **data_r, size_t *len_r)
{
	variableLength *v = MAPIFindProperty(&a->MAPI, PROP_TAG(PT_OBJECT, PR_ATTACH_DATA_OBJ));

	if (v != MAPI_UNDEFINED && v->data != NULL && v->size > 16) {
		*data_r = v->data + 16;
		*len_r = (size_t)v->size - 16;
		return true;
	}
	if (a->FileData.data != NULL && a->FileData.size > 0) {
		*data_r = a->FileData.data;
		*len_r = (size_t)a->FileData.size;
		return true;
	}
	return false;
}

static bool is_tnef(const BYTE *data, size_t len)
{
	DWORD sig;

	if (len < sizeof(sig))
		return false;
	memcpy(&sig, data, sizeof(sig));
	return TNEFCheckForSignature(sig) == 0;
}

static int parse(BYTE *data, size_t len, GVariantBuilder *files, guint *count, int depth);

static void add_attachments(TNEFStruct *t, GVariantBuilder *files, guint *count, int depth)
{
	for (Attachment *a = t->starting_attach.next; a != NULL && *count < TNEF_FILES_MAX;
	     a = a->next) {
		const BYTE *data;
		size_t len;

		if (!content_of(a, &data, &len))
			continue;
		/* An Outlook item forwarded as an attachment is TNEF again. */
		if (depth < TNEF_DEPTH_MAX && is_tnef(data, len) &&
		    parse((BYTE *)data, len, files, count, depth + 1) == 0)
			continue;
		char *name = name_of(a), *mime = mime_of(a);

		g_variant_builder_add(files, "(ss@ay)", name, mime,
				      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1));
		(*count)++;
		g_free(name);
		g_free(mime);
	}
}

static int parse(BYTE *data, size_t len, GVariantBuilder *files, guint *count, int depth)
{
	TNEFStruct t;
	int ret = -1;

	if (!is_tnef(data, len) || len > G_MAXLONG)
		return -1;
	TNEFInitialize(&t);
	t.Debug = 0; /* TNEFInitialize leaves it as the stack had it */
	if (TNEFParseMemory(data, (long)len, &t) == 0) {
		add_attachments(&t, files, count, depth);
		ret = 0;
	}
	TNEFFree(&t);
	return ret;
}

static guint8 *read_stream(int fd, const struct tnef_request *req)
{
	guint8 *buf;

	if (req->size <= 0 || req->offset < 0 || lseek(fd, req->offset, SEEK_SET) < 0)
		return NULL;
	buf = g_try_malloc((gsize)req->size);
	if (buf != NULL && fdio_read_all(fd, buf, (size_t)req->size) < 0) {
		g_free(buf);
		buf = NULL;
	}
	return buf;
}

int tnef_extract(int fd, const struct tnef_request *req, int out_fd)
{
	guint8 *stream = read_stream(fd, req);
	GVariantBuilder files;
	GVariant *answer;
	guint count = 0;
	uint64_t len;
	int ret;

	if (stream == NULL)
		return -1;
	g_variant_builder_init(&files, G_VARIANT_TYPE(TNEF_FILES_TYPE));
	if (parse(stream, (size_t)req->size, &files, &count, 1) < 0) {
		g_variant_builder_clear(&files);
		g_free(stream);
		return 1;
	}
	answer = g_variant_ref_sink(g_variant_builder_end(&files));
	len = g_variant_get_size(answer);
	ret = fdio_write_all(out_fd, &len, sizeof(len)) < 0 ||
			      fdio_write_all(out_fd, g_variant_get_data(answer), len) < 0
		      ? -1
		      : 0;
	g_variant_unref(answer);
	g_free(stream);
	return ret;
}
