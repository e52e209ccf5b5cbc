#include "timeutil.h"

#include <stdio.h>
#include <string.h>

static gint64 fixed_now = -1;

gint64 time_now(void)
{
	return fixed_now >= 0 ? fixed_now : g_get_real_time() / G_USEC_PER_SEC;
}

void time_set_now(gint64 t)
{
	fixed_now = t;
}

int time_parse(const char *text, gint64 *t_r)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *dt;
	char *full = NULL;

	if (strlen(text) == 10) /* a bare date means its first second, UTC */
		text = full = g_strconcat(text, "T00:00:00Z", NULL);
	dt = g_date_time_new_from_iso8601(text, utc);
	g_free(full);
	g_time_zone_unref(utc);
	if (dt == NULL)
		return -1;
	*t_r = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return 0;
}

char *time_iso8601(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(dt);
	return s;
}

void time_day(gint64 t, GDate *day_r)
{
	g_date_clear(day_r, 1);
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	g_date_set_dmy(day_r, (GDateDay)g_date_time_get_day_of_month(dt),
		       (GDateMonth)g_date_time_get_month(dt), (GDateYear)g_date_time_get_year(dt));
	g_date_time_unref(dt);
}

char *time_day_text(const GDate *day)
{
	char buf[16];

	g_date_strftime(buf, sizeof(buf), "%Y-%m-%d", day);
	return g_strdup(buf);
}

char *time_day_text_at(gint64 t)
{
	GDate day;

	time_day(t, &day);
	return time_day_text(&day);
}

int time_set_now_option(const char *program, const char *text)
{
	gint64 t;

	if (time_parse(text, &t) < 0) {
		fprintf(stderr, "%s: --now %s: not an ISO 8601 time\n", program, text);
		return -1;
	}
	time_set_now(t);
	return 0;
}
