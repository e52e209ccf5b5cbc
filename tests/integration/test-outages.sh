#!/usr/bin/env bash
# The outages a real server has, beyond "connection refused" (test-smtp-outage,
# test-postfix-outage, test-imap-outage): a submission server that answers 450 to every
# recipient, and servers that accept the connection and then say nothing. libcurl's timeouts
# (imap/smtp.timeout_seconds) end the attempt, the cycle reports a temporary failure (75),
# nothing is lost, and the work is done once the server is well again.
. "$(dirname "$0")/lib.sh"

ANA=$(applicant ana.sanchez@example.net)
SILENT_PORT=10598
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1

# 1. The SMTP server answers 4xx: the letter stays queued with the reason, and backs off.
SMTP_URL="smtp://localhost:$TEMPFAIL_PORT" write_config
admitd --once 2>"$WORK/tempfail.log" && rc=0 || rc=$?
check "a 450 from the server is a temporary failure (75)" equals "$rc" 75
check "the application is filed all the same" equals "$(admitctl list --json | jq -r '.[0].state')" pending
admitctl outbox --json >"$WORK/outbox.json"
check "the acknowledgement is queued after one attempt" \
  equals "$(jq -c '.[0] | [.state, .attempts]' "$WORK/outbox.json")" '["queued",1]'
check "the outbox names the server's answer" equals "$(jq -r '.[0].last_error | test("450")' "$WORK/outbox.json")" true
check "and waits before the next attempt" \
  test "$(jq -r '.[0].next_attempt_at' "$WORK/outbox.json")" \> "$(date -u +%FT%TZ)"

# 2. The SMTP server accepts and stays silent: the attempt ends after smtp.timeout_seconds.
silent_server "$SILENT_PORT"
trap 'kill $SILENT_PID 2>/dev/null || true' EXIT
SMTP_URL="smtp://localhost:$SILENT_PORT" SMTP_EXTRA="timeout_seconds = 2;" write_config
start=$SECONDS
admitd --once --now "$(in_days 1)" 2>"$WORK/silent-smtp.log" && rc=0 || rc=$?
check "a silent SMTP server is a temporary failure (75)" equals "$rc" 75
check "the cycle ended instead of hanging ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 30
check "the log says the server timed out" contains "$WORK/silent-smtp.log" "outbox deferred .*[Tt]imeout"
check "the letter is still queued, two attempts made" \
  equals "$(admitctl outbox --json | jq -c '.[0] | [.state, .attempts]')" '["queued",2]'

# 3. The IMAP server accepts and stays silent: the cycle ends after imap.timeout_seconds.
SMTP_URL="smtp://localhost:$SILENT_PORT" SMTP_EXTRA="timeout_seconds = 2;" \
  IMAP_URL="imaps://localhost:$SILENT_PORT/INBOX" IMAP_EXTRA="timeout_seconds = 2;" write_config
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 1
start=$SECONDS
admitd --once 2>"$WORK/silent-imap.log" && rc=0 || rc=$?
check "a silent IMAP server is a temporary failure (75)" equals "$rc" 75
check "the cycle ended instead of hanging ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 30
check "the log names the IMAP timeout" contains "$WORK/silent-imap.log" "imap.*[Tt]imeout"
check "the new message waits in the inbox" equals "$(mail_count "$ADMISSIONS")" 1

# The servers are well again: everything is filed and sent, once.
write_config
check "with the servers back the cycle succeeds" admitd --once --now "$(in_days 2)"
settle
check "both applications are filed" equals "$(admitctl list --json | jq length)" 2
check "every letter is sent" equals "$(admitctl outbox --json | jq -r '[.[].state] | unique | join(",")')" sent
check "the first applicant has exactly one acknowledgement" equals "$(mail_count "$ANA")" 1
check "the inbox is empty" equals "$(mail_count "$ADMISSIONS")" 0
finish
