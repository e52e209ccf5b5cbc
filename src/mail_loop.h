/* mail_loop.h — the header we add to every message we send; mail carrying it is never answered
 * (mail_automatic.h), which ends a loop with another auto-responder at once. */
#ifndef ADMITD_MAIL_LOOP_H
#define ADMITD_MAIL_LOOP_H

#define MAIL_LOOP_HEADER "X-Admitd-Loop"

#endif
