#!/usr/bin/env bash
# Postfix stops in the middle of work: applications are still filed, their replies wait in
# the outbox, and once Postfix is back each goes out exactly once.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
LENA=$(applicant lena.mueller@example.org)
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
"$TESTS_DIR/mailstack.sh" stop-smtp "$STACK_DIR"
trap '"$TESTS_DIR/mailstack.sh" start-smtp "$STACK_DIR" 2>/dev/null || true' EXIT
admitd --once 2>"$WORK/down.log" && rc=0 || rc=$?
check "with Postfix down --once reports a temporary failure" equals "$rc" 75
check "both applications are filed" equals "$(admitctl list --json | jq length)" 2
check "their replies wait in the outbox" \
  equals "$(admitctl outbox --json | jq -r '[.[].state] | unique | join(",")')" queued
"$TESTS_DIR/mailstack.sh" start-smtp "$STACK_DIR"
trap - EXIT
check "with Postfix back the replies go out" admitd --once --now "$(in_days 1)"
wait_mail "$ANA" 1
wait_mail "$LENA" 1
check "all sent" equals "$(admitctl outbox --json | jq -r '[.[].state] | unique | join(",")')" sent
check "a later cycle sends nothing again" admitd --once --now "$(in_days 2)"
settle
check "each applicant has exactly one reply" equals "$(mail_count "$ANA") $(mail_count "$LENA")" "1 1"
finish
