#include "mail_automatic.h"

#include <stdbool.h>
#include <string.h>

#include "mail_loop.h"

static const char *header(GMimeMessage *msg, const char *name)
{
	return g_mime_object_get_header(GMIME_OBJECT(msg), name);
}

static bool header_says(GMimeMessage *msg, const char *name, const char *word)
{
	const char *v = header(msg, name);

	return v != NULL && g_ascii_strncasecmp(v + strspn(v, " \t"), word, strlen(word)) == 0;
}

/* RFC 3834 and the habits of real auto-responders. */
static const char *auto_reply(GMimeMessage *msg)
{
	const char *v;

	if (header(msg, MAIL_LOOP_HEADER) != NULL)
		return "our-own-message";
	if ((v = header(msg, "Auto-Submitted")) != NULL &&
	    !header_says(msg, "Auto-Submitted", "no"))
		return "auto-submitted";
	if ((v = header(msg, "Precedence")) != NULL) {
		char *lower = g_ascii_strdown(v, -1);
		bool bulk = strstr(lower, "bulk") || strstr(lower, "list") ||
			    strstr(lower, "junk") || strstr(lower, "auto");

		g_free(lower);
		if (bulk)
			return "precedence";
	}
	if (header(msg, "X-Autoreply") != NULL || header(msg, "X-Autorespond") != NULL ||
	    header(msg, "X-Auto-Response-Suppress") != NULL)
		return "auto-reply";
	return NULL;
}

/* List servers: List-Id (RFC 2919) and what Mailman and ezmlm add besides. */
static bool from_list(GMimeMessage *msg)
{
	return header(msg, "List-Id") != NULL || header(msg, "List-Unsubscribe") != NULL ||
	       header(msg, "X-Mailman-Version") != NULL || header(msg, "Mailing-List") != NULL;
}

/* owner-x, x-owner, x-request, x-bounces (also with a VERP tail, x-bounces+user=host, or a
 * further part, x-bounces-7): the addresses of list software. */
static bool list_sender(const char *local)
{
	static const char *const words[] = { "-request", "-bounces", "-bounce", "-owner" };

	if (g_str_has_prefix(local, "owner-"))
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		for (const char *p = local; (p = strstr(p, words[i])) != NULL; p++) {
			char after = p[strlen(words[i])];

			if (after == '\0' || after == '+' || after == '-')
				return true;
		}
	return false;
}

/* noreply, no-reply, no_reply, do-not-reply, donotreply ..., alone or as a prefix or suffix. */
static bool noreply_sender(const char *local)
{
	GString *bare = g_string_new(NULL);
	bool yes;

	for (const char *p = local; *p != '\0'; p++)
		if (*p != '-' && *p != '_' && *p != '.')
			g_string_append_c(bare, *p);
	yes = g_str_has_prefix(bare->str, "noreply") || g_str_has_prefix(bare->str, "donotreply") ||
	      g_str_has_suffix(bare->str, "noreply") || g_str_has_suffix(bare->str, "donotreply");
	g_string_free(bare, TRUE);
	return yes;
}

static const char *machine_sender(const char *from_addr)
{
	const char *at = strrchr(from_addr, '@');
	char *local = g_strndup(from_addr, at ? (gsize)(at - from_addr) : strlen(from_addr));
	const char *reason = NULL;

	if (strcmp(local, "mailer-daemon") == 0 || strcmp(local, "postmaster") == 0)
		reason = "mailer-daemon";
	else if (list_sender(local))
		reason = "list-sender";
	else if (noreply_sender(local))
		reason = "noreply-sender";
	g_free(local);
	return reason;
}

const char *mail_automatic_reason(GMimeMessage *msg, const char *from_addr)
{
	GMimeContentType *ct = g_mime_object_get_content_type(g_mime_message_get_mime_part(msg));
	const char *v, *reason;

	if ((reason = auto_reply(msg)) != NULL)
		return reason;
	if (from_list(msg))
		return "mailing-list";
	if ((v = header(msg, "Return-Path")) != NULL && strstr(v, "<>") != NULL)
		return "null-sender";
	if (ct != NULL && g_mime_content_type_is_type(ct, "multipart", "report"))
		return "delivery-report";
	/* Our own server's spam filter said so (SpamAssassin, rspamd in its compatible mode). */
	if (header_says(msg, "X-Spam-Flag", "yes"))
		return "spam-flag";
	return machine_sender(from_addr);
}
