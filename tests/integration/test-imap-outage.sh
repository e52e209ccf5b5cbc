#!/usr/bin/env bash
# Dovecot goes away under a running daemon: admitd keeps running, says what is wrong (log and
# status), backs off, and when the server returns it files the waiting mail by itself, once.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
"$TESTS_DIR/mailstack.sh" stop-imap "$STACK_DIR"
trap '"$TESTS_DIR/mailstack.sh" start-imap "$STACK_DIR" 2>/dev/null || true; kill $pid 2>/dev/null || true' EXIT
"$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" 2>"$WORK/daemon.log" &
pid=$!
# poll_seconds = 5, doubled for each failed cycle in a row; each cycle tries twice, a second
# apart (a server restart is over by then): cycles fail at 1 s and 12 s, the next at 33 s.
# Without the backoff there would be three by 14 s (1, 7, 13).
sleep 14
check "the daemon keeps running without its IMAP server" kill -0 "$pid"
check "it tries once more on a new connection" contains "$WORK/daemon.log" "once more on a new connection"
check "it backs off: two failed cycles in 14 s" equals "$(grep -c 'error: inbox: imap status' "$WORK/daemon.log")" 2
check "the log says what is wrong" contains "$WORK/daemon.log" "error: inbox: imap status"
check "status says it too" contains <(admitctl status) "^Last error .*imap"
check "nothing is filed meanwhile" equals "$(admitctl list --json | jq length)" 0

"$TESTS_DIR/mailstack.sh" start-imap "$STACK_DIR"
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 40); do [ "$(mail_count "$ANA")" -ge 1 ] && break; sleep 1; done
check "when the server returns the mail is filed and answered" equals "$(mail_count "$ANA")" 1
check "once" equals "$(admitctl list --json | jq length)" 1
check "status is clear again" contains <(admitctl status) "^Last error  *none"
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "and it stops cleanly" equals "$rc" 0
finish
