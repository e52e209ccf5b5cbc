/* secret.h — passwords, client secrets and tokens: wiped before their memory is freed. */
#ifndef ADMITD_SECRET_H
#define ADMITD_SECRET_H

/* Overwrites the string with zeros and g_free()s it; NULL is fine. */
void secret_free(char *s);

/* secret_free(*sp) and *sp = NULL. */
void secret_clear(char **sp);

#endif
