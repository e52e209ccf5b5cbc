#!/usr/bin/env bash
# TLS and logins are verified, for IMAP and SMTP alike: a server certificate from a CA we were
# not told about is refused with a clear message, so is an SMTP server without STARTTLS
# (smtp.require_tls, the default), and so is a login with a user name the server does not know;
# nothing is filed, moved or lost, and it all works once the configuration is right.
. "$(dirname "$0")/lib.sh"

IMAP_CA="" write_config
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
admitd --once 2>"$WORK/stderr" && rc=0 || rc=$?
check "--once reports a temporary failure (75)" equals "$rc" 75
check "the error names the untrusted certificate" contains "$WORK/stderr" "certificate is not trusted"
check "nothing is filed" equals "$(admitctl list --json | jq length)" 0
check "the message stays in the inbox" equals "$(mail_count "$ADMISSIONS")" 1
check "status shows the error" contains <(admitctl status) "^Last error .*certificate"

IMAP_USER="nobody-$CASE@example.org" write_config
admitd --once 2>"$WORK/stderr" && rc=0 || rc=$?
check "an IMAP user name the server does not know fails the cycle (75)" equals "$rc" 75
check "the error says the login was refused, naming the user" \
  contains "$WORK/stderr" "login refused for user nobody-$CASE@example.org"
check "still nothing is filed" equals "$(admitctl list --json | jq length)" 0

# IMAP is right from here on; SMTP is not, three ways.
SMTP_CA="" write_config
admitd --once 2>"$WORK/stderr" && rc=0 || rc=$?
check "an SMTP certificate from an unknown CA is a temporary failure (75)" equals "$rc" 75
check "the error names the untrusted certificate" contains "$WORK/stderr" "outbox deferred .*certificate is not trusted"
check "the application is filed" equals "$(admitctl list --json | jq length)" 1
check "the message moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" 1
check "its acknowledgement waits in the outbox" equals "$(admitctl outbox --json | jq -r '.[0].state')" queued

SMTP_URL="smtp://localhost:${MAILSTACK_PLAIN_PORT:-10025}" write_config # offers no STARTTLS
admitd --once --now "$(in_days 1)" 2>"$WORK/stderr" && rc=0 || rc=$?
check "a server without STARTTLS is refused (75)" equals "$rc" 75
check "the error says TLS was required" contains "$WORK/stderr" "outbox deferred .*SSL"
check "the letter still waits" equals "$(admitctl outbox --json | jq -r '.[0].state')" queued

SMTP_USER="nobody-$CASE@example.org" write_config
admitd --once --now "$(in_days 2)" 2>"$WORK/stderr" && rc=0 || rc=$?
check "an SMTP user name the server does not know is refused (75)" equals "$rc" 75
check "the error says the login was denied" contains "$WORK/stderr" "outbox deferred .*[Ll]ogin denied"
check "the letter still waits" equals "$(admitctl outbox --json | jq -r '.[0].state')" queued

write_config
check "with everything right it works" admitd --once --now "$(in_days 3)"
settle
check "the acknowledgement is sent, once" equals "$(mail_count "$(applicant ana.sanchez@example.net)")" 1
finish
