/* mail_words.h — decoding a header phrase of several RFC 2047 encoded words, one word at a
 * time. GMime 3.2.13 joins adjacent base64 words of one charset before it decodes them, so a
 * first word with padding ends the text: "=?UTF-8?B?Sm9zw6k=?= =?UTF-8?B?IEdhcmPDrWE=?="
 * (PHPMailer writes names so) comes out "José", not "José García". Each word still goes
 * through GMime's decoder; only the joining is ours. */
#ifndef ADMITD_MAIL_WORDS_H
#define ADMITD_MAIL_WORDS_H

#include <gmime/gmime.h>

/* The phrase decoded word by word when it holds two or more adjacent base64 words (the case
 * GMime gets wrong), else NULL: then GMime's own decoding stands. g_free the result. */
char *mail_words_decode(GMimeParserOptions *opts, const char *raw);

/* The display-name part of a raw address header ("Name <a@b>" -> "Name"), quotes removed;
 * g_free it. */
char *mail_words_display_part(const char *raw);

#endif
