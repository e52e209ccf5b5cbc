/* digest_parts.h — a batch's digest as parts that mail servers accept: each part at most
 * commission.max_message_bytes as it travels (base64 and its line breaks counted), each
 * application whole in exactly one part, in the batch's order. An application whose documents
 * alone would not fit goes in a part of its own, without them. */
#ifndef ADMITD_DIGEST_PARTS_H
#define ADMITD_DIGEST_PARTS_H

#include <stdbool.h>

#include <glib.h>

/* What a part holds besides its attachments: headers, the text and instructions, and per
 * application its table row (in the text and, encoded, counted generously). */
#define DIGEST_PART_BASE_BYTES (32 * 1024)
#define DIGEST_ROW_BYTES       2048
/* What a dossier adds to the documents it holds (dossier.h): its cover with the fonts it
 * embeds, and qpdf's rewriting. */
#define DIGEST_DOSSIER_BYTES (256 * 1024)

struct digest_part {
	GPtrArray *apps;	/* of struct app_row *, borrowed from the batch's list */
	bool without_documents; /* its one application's documents are too large to send */
};

/* Bytes on the wire of an attachment of `size` bytes: base64, CRLF every 76 characters, and
 * its MIME headers. */
gint64 digest_attachment_wire_bytes(gint64 size);

/* The wire bytes of an application's attachments (its letter and CV: what the digest sends). */
gint64 digest_app_wire_bytes(const void *app);

/* The parts of `apps` (struct app_row *) for messages of at most max_bytes. Owned: free
 * with digest_parts_free. */
GPtrArray *digest_parts_plan(GPtrArray *apps, gint64 max_bytes);
void digest_parts_free(GPtrArray *parts);

#endif
