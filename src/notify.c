#include "notify.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include <glib.h>
#include <systemd/sd-daemon.h>

static gint64 watchdog_usec; /* 0: no watchdog */
static gint64 last_ping;
static volatile sig_atomic_t stop_flag;

void notify_init(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		watchdog_usec = (gint64)usec;
}

void notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void notify_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void notify_status(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", line);
}

void notify_alive(void)
{
	gint64 now = g_get_monotonic_time();

	/* A quarter, so that a step that runs a little long between two calls still leaves the
	 * daemon silent for less than half of WatchdogSec. */
	if (watchdog_usec == 0 || now - last_ping < watchdog_usec / 4)
		return;
	last_ping = now;
	sd_notify(0, "WATCHDOG=1");
}

bool notify_stop_requested(void)
{
	return stop_flag != 0;
}

void notify_request_stop(void)
{
	stop_flag = 1;
}
