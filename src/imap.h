/* imap.h — a libcurl IMAP session on the inbox named by imap.url.
 *
 * One connection is kept between requests. TLS is always verified. What the server sends is
 * untrusted: responses are parsed for numbers only, message bodies go straight to a file. */
#ifndef ADMITD_IMAP_H
#define ADMITD_IMAP_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "err.h"

struct imap;

/* cfg is borrowed and must outlive the session. Nothing is sent until the first request. */
int imap_new(struct imap **im_r, const struct config_imap *cfg, struct err *err);
void imap_free(struct imap **imp);

/* Log in with o's access token (borrowed, must outlive the session) instead of the password:
 * SASL OAUTHBEARER when the server offers it, else XOAUTH2 (Microsoft 365 offers only that). */
struct oauth2;
void imap_set_oauth2(struct imap *im, struct oauth2 *o);

/* Prints each IMAP command sent (tag and command name only: never arguments, which hold
 * credentials) to stderr as "imap> A003 STATUS": for sysadmins and the benchmark. */
void imap_set_trace(struct imap *im, bool on);

/* The inbox's name as the URL gives it ("INBOX"); borrowed. */
const char *imap_mailbox(const struct imap *im);

/* STATUS of the inbox. All errors are ERR_TEMP (network, TLS, login) or ERR_CONFIG (no
 * such mailbox). */
int imap_status(struct imap *im, uint32_t *uidvalidity_r, uint32_t *uidnext_r, struct err *err);

/* UIDs in first..last that exist in the inbox (and, when `larger` is not 0, are larger than
 * that many bytes), ascending, appended to uids (uint32_t). */
int imap_search(struct imap *im, uint32_t first, uint32_t last, uint64_t larger, GArray *uids,
		struct err *err);

/* Receives a fetched message's bytes, in order: 0, or -1 with err set to stop the fetch. */
typedef int (*imap_sink_fn)(void *ctx, const char *data, size_t n, struct err *err);

/* How much of a header alone is fetched: a message too large to download may have a header
 * of any size (100 MB were seen); what the sender and subject need is at its top. */
#define IMAP_HEADER_MAX (256 * 1024)

/* Hands message `uid` of the inbox (or only its header, at most IMAP_HEADER_MAX bytes of it),
 * byte for byte, to sink_fn(ctx, ...).
 * Returns 0, or 1 when the message is gone (expunged meanwhile, or the UIDVALIDITY changed),
 * or -1 (with the sink's error when it stopped the fetch). */
int imap_fetch(struct imap *im, uint32_t uidvalidity, uint32_t uid, bool header_only,
	       imap_sink_fn sink_fn, void *ctx, struct err *err);

/* Creates `mailbox` unless it exists. */
int imap_ensure_mailbox(struct imap *im, const char *mailbox, struct err *err);

/* "3:5,9,12:13" for 3 4 5 9 12 13 (ascending): runs of consecutive UIDs as ranges, an RFC 3501
 * sequence-set. g_free the result. */
char *imap_uid_set(const uint32_t *uids, size_t n);

/* Sets \Seen on the messages uids[0..n) (ascending) of the inbox, fifty to a command. A fetch
 * sets it anyway (curl fetches BODY[], not BODY.PEEK[]); set for a whole window first, it
 * spares Dovecot a lock and a rename per fetch. */
int imap_mark_seen(struct imap *im, const uint32_t *uids, size_t n, struct err *err);

/* Moves the messages uids[0..n) (ascending, n > 0) of the inbox to `mailbox`, fifty to a
 * command.
 * Moving a UID that is already gone succeeds, so a replay after a crash changes nothing. */
int imap_move(struct imap *im, const uint32_t *uids, size_t n, const char *mailbox,
	      struct err *err);

#endif
