#include "secret.h"

#include <string.h>

#include <glib.h>

void secret_free(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	g_free(s);
}

void secret_clear(char **sp)
{
	secret_free(*sp);
	*sp = NULL;
}
