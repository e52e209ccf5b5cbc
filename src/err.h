/* err.h — the one error type: its class tells the caller what to do next. */
#ifndef ADMITD_ERR_H
#define ADMITD_ERR_H

enum err_class {
	ERR_NONE = 0,
	ERR_TEMP,    /* try again next cycle: network, 4xx, busy database */
	ERR_MESSAGE, /* this one message is bad: quarantine it and go on */
	ERR_CONFIG,  /* the configuration is wrong: exit 78, do not restart-loop */
	ERR_FATAL,   /* a bug or a broken installation: stop */
};

struct err {
	enum err_class class;
	char text[512];
};

/* Sets err (when not NULL) and returns -1, so callers can write `return err_set(...)`. */
int err_set(struct err *err, enum err_class class, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes err->text with context, keeping the class: "imap fetch uid=7: <old text>". */
void err_prefix(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void err_clear(struct err *err);

/* For work that goes on after a step failed: keeps `e` in `first` when `first` holds no error
 * yet, or when `e` is graver (a configuration error or a bug outranks a temporary failure: the
 * class decides what the program does next). Returns -1, for `ret = err_keep(err, &step)`. */
int err_keep(struct err *first, const struct err *e);

/* The sysexits.h code for a program that stops on this error. */
int err_exit_code(const struct err *err);

#endif
