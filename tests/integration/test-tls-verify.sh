#!/usr/bin/env bash
# TLS is verified: a server certificate from a CA we were not told about is refused with a
# clear message, nothing is filed or moved, and it all works once imap.ca_file names the CA.
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

write_config
check "with imap.ca_file it works" admitd --once
check "the application is filed" equals "$(admitctl list --json | jq length)" 1
check "the message moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" 1
finish
