#!/usr/bin/env bash
# admitd as a daemon: it polls every imap.poll_seconds, answers mail that arrives while it
# runs, refuses a second instance on the same database, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

write_config
LENA=$(applicant lena.mueller@example.org)
"$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" 2>"$WORK/daemon.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 1
check "the daemon is running" kill -0 "$pid"
send_fixture german-application.eml
wait_mail "$LENA" 1 || true # polls every 5 s; wait_mail gives it 10
check "mail arriving while it runs is acknowledged" equals "$(mail_count "$LENA")" 1

admitd --once 2>"$WORK/second.log" && rc=0 || rc=$?
check "a second admitd on the same database refuses (75)" equals "$rc" 75
check "and says why" contains "$WORK/second.log" "another admitd is running"

kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "SIGTERM stops it with exit 0" equals "$rc" 0
check "the stop is logged" contains "$WORK/daemon.log" "admitd: stop"
finish
