#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "mail_automatic.h"
#include "mail_words.h"
#include "spool.h"
#include "htmltext.h"
#include "untrusted.h"

#define BODY_TEXT_MAX (64 * 1024)

void mail_library_init(void)
{
	g_mime_init();
}

static GMimeParserOptions *mail_parser_options(void)
{
	GMimeParserOptions *opts = g_mime_parser_options_new();

	/* Real clients send RFC 2047 words inside quotes and broken parameters; read them. */
	g_mime_parser_options_set_rfc2047_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(opts, GMIME_RFC_COMPLIANCE_LOOSE);
	return opts;
}

static InternetAddressMailbox *first_mailbox(InternetAddressList *list)
{
	if (list == NULL || internet_address_list_length(list) != 1)
		return NULL;
	InternetAddress *ia = internet_address_list_get_address(list, 0);
	return INTERNET_ADDRESS_IS_MAILBOX(ia) ? INTERNET_ADDRESS_MAILBOX(ia) : NULL;
}

static bool addr_spec_ok(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at != NULL && at != addr && at[1] != '\0' && strchr(at + 1, '.') != NULL &&
	       strpbrk(addr, " \t\r\n<>,;\"") == NULL;
}

int mail_address_parse(const char *text, char **addr_r, char **name_r)
{
	GMimeParserOptions *opts = mail_parser_options();
	InternetAddressList *list = internet_address_list_parse(opts, text);
	InternetAddressMailbox *mb = first_mailbox(list);
	int ret = -1;

	if (mb != NULL && addr_spec_ok(internet_address_mailbox_get_addr(mb))) {
		const char *name = internet_address_get_name(INTERNET_ADDRESS(mb));

		if (addr_r != NULL)
			*addr_r = g_ascii_strdown(internet_address_mailbox_get_addr(mb), -1);
		if (name_r != NULL)
			*name_r = g_strdup(name ? name : "");
		ret = 0;
	}
	if (list != NULL)
		g_object_unref(list);
	g_mime_parser_options_free(opts);
	return ret;
}

static const char *header(GMimeObject *obj, const char *name)
{
	return g_mime_object_get_header(obj, name);
}

static gint64 top_received_time(GMimeMessage *msg)
{
	const char *received = header(GMIME_OBJECT(msg), "Received");
	const char *semi = received ? strrchr(received, ';') : NULL;
	GDateTime *dt;
	gint64 t;

	if (semi == NULL || (dt = g_mime_utils_header_decode_date(semi + 1)) == NULL)
		return 0;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* Where a message's attachments go: one file, opened at the first one. */
struct parts_file {
	const char *path;
	int fd; /* -1 until the first attachment */
	gint64 end;
};

/* Appends the decoded content of `part` to the parts file; sets its offset, size and hash. Not
 * synced here: the caller syncs the spool (spool_sync) before the store names the file, once
 * for a whole group of messages. */
static int save_part(GMimePart *part, struct parts_file *pf, struct mail_attachment *a,
		     struct err *err)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *fs, *out;
	gint64 n = 0;

	if (pf->fd < 0 &&
	    (pf->fd = open(pf->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return err_set(err, ERR_TEMP, "create %s: %s", pf->path, strerror(errno));
	/* A pipe stream on a file: GMimeStreamFs would fsync() on every flush. */
	fs = g_mime_stream_pipe_new(pf->fd);
	g_mime_stream_pipe_set_owner(GMIME_STREAM_PIPE(fs), FALSE);
	/* Decoders write a line at a time: buffer them into few large writes. */
	out = g_mime_stream_buffer_new(fs, GMIME_STREAM_BUFFER_BLOCK_WRITE);
	if (content != NULL)
		n = g_mime_data_wrapper_write_to_stream(content, out);
	if (n < 0 || g_mime_stream_flush(out) < 0)
		n = -1;
	g_object_unref(out);
	g_object_unref(fs);
	if (n < 0)
		return err_set(err, ERR_TEMP, "write %s: %s", pf->path, strerror(errno));
	a->offset = pf->end;
	a->size = n;
	pf->end += n;
	if (spool_range_sha256(pf->fd, a->offset, a->size, a->sha256, err) < 0) {
		err_prefix(err, "%s", pf->path);
		return -1;
	}
	return 0;
}

static bool is_attachment(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *disposition = g_mime_object_get_disposition(obj);

	if (g_mime_part_get_filename(GMIME_PART(obj)) != NULL)
		return true;
	if (disposition != NULL && g_ascii_strcasecmp(disposition, "attachment") == 0)
		return true;
	return !g_mime_content_type_is_type(ct, "text", "plain") &&
	       !g_mime_content_type_is_type(ct, "text", "html");
}

/* The Message-ID of a message/rfc822 or text/rfc822-headers part of a delivery report. */
static void take_reported_id(struct mail *m, GMimeObject *obj)
{
	GMimeMessage *inner = NULL;
	const char *id;

	if (GMIME_IS_MESSAGE_PART(obj)) {
		inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (inner != NULL)
			g_object_ref(inner);
	} else if (GMIME_IS_PART(obj) &&
		   g_mime_content_type_is_type(g_mime_object_get_content_type(obj), "text",
					       "rfc822-headers")) {
		GMimeStream *mem = g_mime_stream_mem_new();
		GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(obj));
		GMimeParser *parser;

		if (content != NULL)
			g_mime_data_wrapper_write_to_stream(content, mem);
		g_mime_stream_reset(mem);
		parser = g_mime_parser_new_with_stream(mem);
		inner = g_mime_parser_construct_message(parser, NULL);
		g_object_unref(parser);
		g_object_unref(mem);
	}
	if (inner == NULL)
		return;
	if ((id = g_mime_message_get_message_id(inner)) != NULL)
		g_ptr_array_add(m->reported_ids, g_strdup(id));
	g_object_unref(inner);
}

/* Bytes in a charset as UTF-8: the declared charset, then UTF-8, then windows-1252 (what a
 * mislabelled Outlook text usually is), then UTF-8 with bad bytes replaced. */
static char *to_utf8(const char *data, gsize len, bool cut, const char *charset)
{
	const char *end;
	char *out;

	/* An empty part: its data may be NULL, which g_strndup() returns as is. */
	if (len == 0)
		return g_strdup("");
	if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
	    g_ascii_strcasecmp(charset, "us-ascii") != 0 &&
	    (out = g_convert(data, (gssize)len, "UTF-8", charset, NULL, NULL, NULL)) != NULL)
		return out;
	/* UTF-8, perhaps with its last character cut by our size limit. */
	if (g_utf8_validate(data, (gssize)len, &end) || (cut && len - (gsize)(end - data) < 4))
		return g_strndup(data, (gsize)(end - data));
	if ((out = g_convert(data, (gssize)len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL)) != NULL)
		return out;
	return g_utf8_make_valid(data, (gssize)len);
}

/* The decoded text of a text part (transfer encoding undone, charset converted). */
static char *part_text(GMimeObject *obj)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(obj));
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;
	char *text;

	if (content != NULL)
		g_mime_data_wrapper_write_to_stream(content, mem);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	/* The body is read up to BODY_TEXT_MAX; four bytes a character at most, before. */
	text = to_utf8((const char *)bytes->data, MIN(bytes->len, BODY_TEXT_MAX * 4),
		       bytes->len > BODY_TEXT_MAX * 4,
		       g_mime_object_get_content_type_parameter(obj, "charset"));
	g_object_unref(mem);
	return text;
}

/* RFC 3676: a line that ends in a space continues on the next one (same quote depth); with
 * DelSp=yes that space goes; a space that stuffs the start of a line goes. */
static char *unflow(const char *text, bool delsp)
{
	char **lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_new(NULL);
	size_t prev_depth = 0;
	bool open = false; /* the line before ended in a soft break */

	for (char **l = lines; *l != NULL; l++) {
		size_t n = strlen(*l), depth;
		const char *body;

		if (n > 0 && (*l)[n - 1] == '\r')
			(*l)[--n] = '\0';
		depth = strspn(*l, ">");
		body = *l + depth + ((*l)[depth] == ' ');
		if (!open || depth != prev_depth) {
			if (l != lines)
				g_string_append_c(out, '\n');
			g_string_append_len(out, *l, (gssize)depth);
		}
		g_string_append(out, body);
		n = strlen(body);
		open = n > 0 && body[n - 1] == ' ' && strcmp(body, "-- ") != 0;
		if (open && delsp)
			g_string_truncate(out, out->len - 1);
		prev_depth = depth;
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

static bool param_is(GMimeObject *obj, const char *name, const char *value)
{
	const char *v = g_mime_object_get_content_type_parameter(obj, name);

	return v != NULL && g_ascii_strcasecmp(v, value) == 0;
}

/* The first text/plain part is the body; the first text/html one stands in for it when there
 * is none. */
static void take_body_text(struct mail *m, GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *text;

	if (m->body_text != NULL || !GMIME_IS_PART(obj))
		return;
	if (g_mime_content_type_is_type(ct, "text", "html")) {
		if (m->body_html == NULL)
			m->body_html = part_text(obj);
		return;
	}
	if (!g_mime_content_type_is_type(ct, "text", "plain"))
		return;
	text = part_text(obj);
	if (param_is(obj, "format", "flowed")) {
		char *joined = unflow(text, param_is(obj, "delsp", "yes"));

		g_free(text);
		text = joined;
	}
	untrusted_cut(text, BODY_TEXT_MAX);
	m->body_text = text;
}

/* After every part was seen: an HTML-only mail's text. */
static void settle_body_text(struct mail *m)
{
	if (m->body_text == NULL && m->body_html != NULL)
		m->body_text = htmltext_reply(m->body_html, strlen(m->body_html), BODY_TEXT_MAX);
	g_free(m->body_html);
	m->body_html = NULL;
}

/* A signature (S/MIME, OpenPGP) is part of the mail's envelope, not a document. */
static bool is_signature(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return g_mime_content_type_is_type(ct, "application", "pkcs7-signature") ||
	       g_mime_content_type_is_type(ct, "application", "x-pkcs7-signature") ||
	       g_mime_content_type_is_type(ct, "application", "pgp-signature");
}

/* The Content-IDs an HTML part shows ("cid:..." in src or href), lower-case, into `shown`. */
static void take_shown_cids(GHashTable *shown, GMimeObject *obj)
{
	char *text = part_text(obj), *html = g_ascii_strdown(text, -1);

	for (const char *p = html; (p = strstr(p, "cid:")) != NULL;) {
		size_t n;

		p += 4;
		n = strcspn(p, "\"' >)\r\n");
		g_hash_table_add(shown, g_strndup(p, n));
		p += n;
	}
	g_free(html);
	g_free(text);
}

static void mark_shown(struct mail *m, GHashTable *shown)
{
	for (guint i = 0; i < m->attachments->len; i++) {
		struct mail_attachment *a = g_ptr_array_index(m->attachments, i);
		char *id = a->content_id ? g_ascii_strdown(a->content_id, -1) : NULL;

		a->shown_in_html = id != NULL && g_hash_table_contains(shown, id);
		g_free(id);
	}
}

static int collect_parts(struct mail *m, GMimeMessage *msg, struct parts_file *pf, struct err *err)
{
	GMimePartIter *iter = g_mime_part_iter_new(GMIME_OBJECT(msg));
	GHashTable *shown = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int ret = 0;

	if (!g_mime_part_iter_is_valid(iter)) {
		/* A single-part message: the iterator has no children to visit. */
		GMimeObject *body = g_mime_message_get_mime_part(msg);

		if (body != NULL)
			take_body_text(m, body);
	}
	for (bool ok = g_mime_part_iter_is_valid(iter); ok && ret == 0;
	     ok = g_mime_part_iter_next(iter)) {
		GMimeObject *obj = g_mime_part_iter_get_current(iter);
		struct mail_attachment *a;
		const char *v;
		char *mime_type;

		if (m->automatic != NULL)
			take_reported_id(m, obj);
		if (!GMIME_IS_PART(obj) || is_signature(obj))
			continue;
		if (!is_attachment(obj)) {
			if (g_mime_content_type_is_type(g_mime_object_get_content_type(obj), "text",
							"html"))
				take_shown_cids(shown, obj);
			take_body_text(m, obj);
			continue;
		}
		a = g_new0(struct mail_attachment, 1);
		g_ptr_array_add(m->attachments, a);
		v = g_mime_part_get_filename(GMIME_PART(obj));
		a->filename = v ? untrusted_line(v, UNTRUSTED_FILENAME_MAX) : NULL;
		mime_type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(obj));
		a->content_type = g_ascii_strdown(mime_type, -1);
		g_free(mime_type);
		a->path = g_strdup(pf->path);
		a->content_id = g_strdup(g_mime_object_get_content_id(obj));
		a->is_inline = g_mime_object_get_disposition(obj) != NULL &&
			       g_ascii_strcasecmp(g_mime_object_get_disposition(obj), "inline") ==
				       0;
		ret = save_part(GMIME_PART(obj), pf, a, err);
	}
	g_mime_part_iter_free(iter);
	mark_shown(m, shown);
	g_hash_table_destroy(shown);
	return ret;
}

static void mail_attachment_free(gpointer p)
{
	struct mail_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a->path);
	g_free(a->content_id);
	g_free(a);
}

static void collect_auth_results(struct mail *m, GMimeMessage *msg)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(headers);

	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), "Authentication-Results") == 0)
			g_ptr_array_add(m->auth_results, g_strdup(g_mime_header_get_value(h)));
	}
}

static int count_headers(GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = g_mime_header_list_get_count(headers), count = 0;

	for (int i = 0; i < n; i++)
		count += g_ascii_strcasecmp(g_mime_header_get_name(
						    g_mime_header_list_get_header_at(headers, i)),
					    name) == 0;
	return count;
}

/* Why the From header names no one we could answer: the quarantine's reason, for the office. */
static int unusable_from(GMimeMessage *msg, struct err *err)
{
	InternetAddressList *list = g_mime_message_get_from(msg);
	int froms = count_headers(msg, "From"), n = list ? internet_address_list_length(list) : 0;
	InternetAddress *ia = n == 1 ? internet_address_list_get_address(list, 0) : NULL;

	if (froms == 0)
		return err_set(err, ERR_MESSAGE, "no From header");
	if (froms > 1)
		return err_set(err, ERR_MESSAGE, "%d From headers (a message has one)", froms);
	if (n == 0)
		return err_set(err, ERR_MESSAGE, "the From header holds no address");
	if (n > 1)
		return err_set(err, ERR_MESSAGE, "the From header holds %d addresses", n);
	if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
		return err_set(err, ERR_MESSAGE, "the From header is a group, not an address");
	if (strchr(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)), '@') == NULL)
		return err_set(err, ERR_MESSAGE, "the From header holds no address, only a name");
	return err_set(err, ERR_MESSAGE, "the From address is not a usable address");
}

static const char *raw_header(GMimeMessage *msg, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	GMimeHeader *h = g_mime_header_list_get_header(headers, name);

	return h != NULL ? g_mime_header_get_raw_value(h) : NULL;
}

/* GMime's decoding of a name or subject, unless it is one that GMime gets wrong (mail_words.h);
 * then one safe line (untrusted.h). */
static char *decoded_line(const char *raw, bool display_part, const char *gmime_text, size_t max)
{
	GMimeParserOptions *opts = mail_parser_options();
	char *phrase = display_part ? mail_words_display_part(raw) : g_strdup(raw);
	char *words = mail_words_decode(opts, phrase);
	char *line = untrusted_line(words != NULL ? words : gmime_text, max);

	g_mime_parser_options_free(opts);
	g_free(words);
	g_free(phrase);
	return line;
}

static int read_headers(struct mail *m, GMimeMessage *msg, struct err *err)
{
	InternetAddressMailbox *mb = first_mailbox(g_mime_message_get_from(msg));

	if (mb == NULL || !addr_spec_ok(internet_address_mailbox_get_addr(mb)) ||
	    count_headers(msg, "From") != 1)
		return unusable_from(msg, err);
	m->from_addr = g_ascii_strdown(internet_address_mailbox_get_addr(mb), -1);
	/* The sender's words, one safe line each (untrusted.h); the raw header is kept for the
	 * record. */
	m->from_raw = g_strndup(header(GMIME_OBJECT(msg), "From"), MAIL_RAW_FROM_MAX);
	m->from_name = decoded_line(raw_header(msg, "From"), true,
				    internet_address_get_name(INTERNET_ADDRESS(mb)),
				    UNTRUSTED_NAME_MAX);
	m->subject = decoded_line(raw_header(msg, "Subject"), false,
				  g_mime_message_get_subject(msg), UNTRUSTED_SUBJECT_MAX);
	m->message_id = g_strdup(g_mime_message_get_message_id(msg));
	m->in_reply_to = g_strdup(header(GMIME_OBJECT(msg), "In-Reply-To"));
	m->references = g_strdup(header(GMIME_OBJECT(msg), "References"));
	m->received_at = top_received_time(msg);
	m->automatic = mail_automatic_reason(msg, m->from_addr);
	collect_auth_results(m, msg);
	return 0;
}

int mail_read(struct mail **mail_r, const char *eml_path, const char *parts_path, struct err *err)
{
	struct mail *m = g_new0(struct mail, 1);
	struct parts_file pf = { .path = parts_path, .fd = -1 };
	GMimeParserOptions *opts = mail_parser_options();
	GMimeStream *stream = NULL, *fs;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;
	int fd, ret = -1;

	m->attachments = g_ptr_array_new_with_free_func(mail_attachment_free);
	m->auth_results = g_ptr_array_new_with_free_func(g_free);
	m->reported_ids = g_ptr_array_new_with_free_func(g_free);
	*mail_r = NULL;
	fd = open(eml_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, ERR_TEMP, "open %s: %s", eml_path, strerror(errno));
		goto out;
	}
	/* A file stream keeps parts as byte ranges of the file instead of copies in memory; the
	 * block-read buffer spares the parser a seek and a small read per line. */
	fs = g_mime_stream_fs_new(fd);
	stream = g_mime_stream_buffer_new(fs, GMIME_STREAM_BUFFER_BLOCK_READ);
	g_object_unref(fs);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, opts);
	if (msg == NULL) {
		err_set(err, ERR_MESSAGE, "not a MIME message");
		goto out;
	}
	if (read_headers(m, msg, err) < 0 || collect_parts(m, msg, &pf, err) < 0)
		goto out;
	settle_body_text(m);
	if (m->body_text == NULL)
		m->body_text = g_strdup("");
	ret = 0;
out:
	if (pf.fd >= 0)
		close(pf.fd);
	if (msg != NULL)
		g_object_unref(msg);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	g_mime_parser_options_free(opts);
	if (ret == 0)
		*mail_r = m;
	else
		mail_free(&m);
	return ret;
}

void mail_free(struct mail **mailp)
{
	struct mail *m = *mailp;

	if (m == NULL)
		return;
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->subject);
	g_free(m->from_raw);
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_free(m->references);
	g_free(m->body_text);
	g_free(m->body_html);
	g_ptr_array_free(m->attachments, TRUE);
	g_ptr_array_free(m->auth_results, TRUE);
	g_ptr_array_free(m->reported_ids, TRUE);
	g_free(m);
	*mailp = NULL;
}

static void append_ids(GPtrArray *ids, const char *header, bool newest_first)
{
	GMimeReferences *refs = header ? g_mime_references_parse(NULL, header) : NULL;
	int n = refs ? g_mime_references_length(refs) : 0;

	for (int i = 0; i < n; i++)
		g_ptr_array_add(ids, g_strdup(g_mime_references_get_message_id(
					     refs, newest_first ? n - 1 - i : i)));
	if (refs != NULL)
		g_mime_references_free(refs);
}

GPtrArray *mail_thread_ids(const struct mail *m)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);

	append_ids(ids, m->in_reply_to, false);
	append_ids(ids, m->references, true);
	return ids;
}

char *mail_text_of(GBytes *message)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(message, &len);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	struct mail m = { 0 };

	if (msg != NULL) {
		GMimePartIter *iter = g_mime_part_iter_new(GMIME_OBJECT(msg));
		GMimeObject *body = g_mime_message_get_mime_part(msg);

		if (!g_mime_part_iter_is_valid(iter) && body != NULL)
			take_body_text(&m, body);
		for (bool ok = g_mime_part_iter_is_valid(iter); ok && m.body_text == NULL;
		     ok = g_mime_part_iter_next(iter))
			if (GMIME_IS_PART(g_mime_part_iter_get_current(iter)))
				take_body_text(&m, g_mime_part_iter_get_current(iter));
		g_mime_part_iter_free(iter);
		g_object_unref(msg);
	}
	settle_body_text(&m);
	g_object_unref(parser);
	g_object_unref(stream);
	return m.body_text ? m.body_text : g_strdup("");
}
