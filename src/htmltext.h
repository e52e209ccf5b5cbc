/* htmltext.h — the text a person wrote in an HTML-only email (some Outlook and mobile clients
 * send no text part), read with libxml2's HTML parser: one line per block, and without the
 * quoted original that clients append (blockquote, Gmail's gmail_quote, Outlook's
 * divRplyFwdMsg and appendonsend with everything after them, Apple's type=cite,
 * Thunderbird's moz-cite-prefix). Input and output are UTF-8 and untrusted. */
#ifndef ADMITD_HTMLTEXT_H
#define ADMITD_HTMLTEXT_H

#include <stddef.h>

/* The text (g_free), at most max_bytes long; "" for an empty or unreadable document. */
char *htmltext_reply(const char *html, size_t len, size_t max_bytes);

#endif
