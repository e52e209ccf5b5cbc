/* mail_automatic.h — whether a message was made by a machine and must not be answered: RFC 3834
 * headers, mailing lists (List-Id, Mailman, ezmlm), delivery reports, spam our server flagged,
 * and the senders machines use (owner-..., ...-request, ...-bounces, noreply, do-not-reply). */
#ifndef ADMITD_MAIL_AUTOMATIC_H
#define ADMITD_MAIL_AUTOMATIC_H

#include <gmime/gmime.h>

/* The reason ("mailing-list", "noreply-sender" ...; static), or NULL for a person's mail.
 * from_addr is the lower-case sender address. */
const char *mail_automatic_reason(GMimeMessage *msg, const char *from_addr);

#endif
