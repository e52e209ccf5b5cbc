#include "compose.h"

#include <fcntl.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mail.h"
#include "template.h"

/* A Message-ID from a sender goes into our headers only when it is one: left@right in printable
 * ASCII without brackets or spaces, of a sane length. Anything else (8-bit bytes, a folded
 * header, a forged bracket) is left out. */
static bool msgid_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n < 3 || n > 250 || strchr(id, '@') == NULL || id[0] == '@' || id[n - 1] == '@')
		return false;
	for (const char *p = id; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '<' || *p == '>')
			return false;
	return true;
}

/* "<a@x> <b@y>": the thread so far (as GMime parsed it) followed by the message we answer. */
static char *references_header(const char *references, const char *in_reply_to)
{
	GString *out = g_string_new(NULL);
	GMimeReferences *refs = references ? g_mime_references_parse(NULL, references) : NULL;

	for (int i = 0; refs != NULL && i < g_mime_references_length(refs); i++)
		if (msgid_ok(g_mime_references_get_message_id(refs, i)))
			g_string_append_printf(out, "%s<%s>", out->len ? " " : "",
					       g_mime_references_get_message_id(refs, i));
	if (in_reply_to != NULL)
		g_string_append_printf(out, "%s<%s>", out->len ? " " : "", in_reply_to);
	if (refs != NULL)
		g_mime_references_free(refs);
	return g_string_free(out, FALSE);
}

static void set_thread_headers(GMimeObject *obj, const struct compose_in *in)
{
	char *id, *refs;

	if (!msgid_ok(in->in_reply_to))
		return;
	id = g_strdup_printf("<%s>", in->in_reply_to);
	refs = references_header(in->references, in->in_reply_to);
	g_mime_object_set_header(obj, "In-Reply-To", id, NULL);
	g_mime_object_set_header(obj, "References", refs, NULL);
	g_free(id);
	g_free(refs);
}

static GBytes *serialize(GMimeMessage *msg)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;

	g_mime_object_encode(GMIME_OBJECT(msg), GMIME_ENCODING_CONSTRAINT_7BIT);
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	g_mime_object_write_to_stream(GMIME_OBJECT(msg), fo, mem);
	/* Taken from the stream, not copied: a digest part is up to 10 MB. */
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	g_mime_format_options_free(fo);
	return g_byte_array_free_to_bytes(bytes);
}

/* Always UTF-8: g_mime_text_part_set_text() would pick a legacy charset when the text fits
 * one, and some phone clients render those badly. Quoted-printable comes from encode(). */
static void set_utf8_body(GMimeTextPart *part, const char *body)
{
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(body, strlen(body));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(
		mem, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(GMIME_PART(part), content);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	g_object_unref(content);
	g_object_unref(mem);
}

static GMimeObject *attachment_part(const struct compose_attachment *a, struct err *err)
{
	GError *gerr = NULL;
	GMimeStream *file = g_mime_stream_fs_open(a->path, O_RDONLY, 0, &gerr), *range;
	GMimeContentType *ct;
	GMimeDataWrapper *content;
	GMimePart *part;

	if (file == NULL) {
		err_set(err, ERR_TEMP, "attach %s: %s", a->path, gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	range = g_mime_stream_substream(file, a->offset, a->offset + a->size);
	g_object_unref(file);
	part = g_mime_part_new();
	ct = g_mime_content_type_parse(NULL, a->content_type);
	g_mime_object_set_content_type(GMIME_OBJECT(part), ct);
	g_object_unref(ct);
	content = g_mime_data_wrapper_new_with_stream(range, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, content);
	g_mime_part_set_filename(part, a->filename);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_object_unref(content);
	g_object_unref(range);
	return GMIME_OBJECT(part);
}

/* The body alone, or multipart/mixed with the attachments after it. */
static GMimeObject *body_with_attachments(GMimeObject *text, const struct compose_in *in,
					  struct err *err)
{
	GMimeMultipart *mixed;

	if (in->n_attachments == 0)
		return g_object_ref(text);
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, text);
	for (size_t i = 0; i < in->n_attachments; i++) {
		GMimeObject *part = attachment_part(&in->attachments[i], err);

		if (part == NULL) {
			g_object_unref(mixed);
			return NULL;
		}
		g_mime_multipart_add(mixed, part);
		g_object_unref(part);
	}
	return GMIME_OBJECT(mixed);
}

static GMimeMessage *build(const struct config *cfg, const struct compose_in *in,
			   const char *subject, const char *body, gint64 now, char **mid_r,
			   struct err *err)
{
	GMimeObject *top;
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	InternetAddressList *from = internet_address_list_parse(NULL, cfg->programme.reply_from);
	GMimeTextPart *text = g_mime_text_part_new_with_subtype("plain");
	GDateTime *date = g_date_time_new_from_unix_utc(now);
	char *from_addr = NULL, *domain;

	internet_address_list_append(g_mime_message_get_from(msg), from);
	g_object_unref(from);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, in->to_name ? in->to_name : "",
				   in->to_addr);
	g_mime_message_set_subject(msg, subject, "utf-8");
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	mail_address_parse(cfg->programme.reply_from, &from_addr, NULL);
	domain = from_addr ? strchr(from_addr, '@') + 1 : "admitd.invalid";
	*mid_r = in->message_id ? g_strdup(in->message_id)
				: g_mime_utils_generate_message_id(domain);
	g_mime_message_set_message_id(msg, *mid_r);
	set_thread_headers(obj, in);
	g_mime_object_set_header(obj, "Auto-Submitted", in->auto_submitted, NULL);
	g_mime_object_set_header(obj, MAIL_LOOP_HEADER, from_addr ? from_addr : "admitd", NULL);
	g_free(from_addr);
	set_utf8_body(text, body);
	top = body_with_attachments(GMIME_OBJECT(text), in, err);
	g_object_unref(text);
	if (top == NULL) {
		g_object_unref(msg);
		g_free(*mid_r);
		*mid_r = NULL;
		return NULL;
	}
	g_mime_message_set_mime_part(msg, top);
	g_object_unref(top);
	return msg;
}

int compose_message(const struct config *cfg, const struct compose_in *in, gint64 now,
		    char **message_id_r, GBytes **bytes_r, struct err *err)
{
	char *subject = NULL, *body = NULL;
	GMimeMessage *msg;

	if (template_render(cfg->templates.search, in->template_name, in->vars, &subject, &body,
			    err) < 0)
		return -1;
	msg = build(cfg, in, subject, body, now, message_id_r, err);
	g_free(subject);
	g_free(body);
	if (msg == NULL)
		return -1;
	*bytes_r = serialize(msg);
	g_object_unref(msg);
	return 0;
}

char *compose_message_id_for(const struct config *cfg, const char *local_part)
{
	char *from_addr = NULL, *mid;

	mail_address_parse(cfg->programme.reply_from, &from_addr, NULL);
	mid = g_strdup_printf("%s@%s", local_part,
			      from_addr ? strchr(from_addr, '@') + 1 : "admitd.invalid");
	g_free(from_addr);
	return mid;
}
