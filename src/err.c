#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

int err_set(struct err *err, enum err_class class, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->class = class;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

void err_prefix(struct err *err, const char *fmt, ...)
{
	char prefix[256], joined[sizeof(prefix) + sizeof(err->text) + 2];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(joined, sizeof(joined), "%s: %s", prefix, err->text);
	memcpy(err->text, joined, sizeof(err->text) - 1);
	err->text[sizeof(err->text) - 1] = '\0';
}

void err_clear(struct err *err)
{
	err->class = ERR_NONE;
	err->text[0] = '\0';
}

int err_keep(struct err *first, const struct err *e)
{
	if (first->class == ERR_NONE || e->class > first->class)
		*first = *e;
	return -1;
}

int err_exit_code(const struct err *err)
{
	switch (err->class) {
	case ERR_NONE:
		return EX_OK;
	case ERR_TEMP:
		return EX_TEMPFAIL;
	case ERR_MESSAGE:
		return EX_DATAERR;
	case ERR_CONFIG:
		return EX_CONFIG;
	case ERR_FATAL:
		break;
	}
	return EX_SOFTWARE;
}
