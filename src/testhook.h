/* testhook.h — named points where the tests can hold the daemon, so that a kill lands exactly
 * where a test needs it (between the SMTP server's 250 and our 'sent' mark, say) instead of at
 * a random millisecond. Compiled in only with ADMITD_TEST_HOOKS (the test builds; never the
 * package), and armed only by the environment:
 *
 *   ADMITD_TEST_PAUSE=POINT[:N]   the point to stop at, the Nth time it is reached (1)
 *   ADMITD_TEST_PAUSE_FILE=FILE   a line "POINT DETAIL" is appended there on arrival
 *
 * The process then sleeps until it is killed (at most a minute, then it goes on).
 *
 *   ADMITD_TEST_FAULT=POINT[:N]   testhook_fault(POINT) is true there, the Nth time: the code
 *                                 does the wrong thing a test needs to see handled */
#ifndef ADMITD_TESTHOOK_H
#define ADMITD_TESTHOOK_H

#include <stdbool.h>

#ifdef ADMITD_TEST_HOOKS
void testhook_pause(const char *point, const char *detail);
bool testhook_fault(const char *point);
#else
static inline void testhook_pause(const char *point, const char *detail)
{
	(void)point;
	(void)detail;
}
static inline bool testhook_fault(const char *point)
{
	(void)point;
	return false;
}
#endif

#endif
