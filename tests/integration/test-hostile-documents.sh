#!/usr/bin/env bash
# A mail of hostile documents (tests/hostile/make-hostile-docs.py) in front of an ordinary
# application: the daemon spends at most the message's budget on them (30 s), keeps feeding
# the watchdog meanwhile (WATCHDOG_USEC=4 s: never silent for more than half of it), files
# them as unreadable, and files and answers the application behind them in the same cycle.
. "$(dirname "$0")/lib.sh"

write_config
MALLORY=$(applicant mallory@example.com)
ANA=$(applicant ana.sanchez@example.net)
/usr/bin/python3 "$TESTS_DIR/hostile/make-hostile-docs.py" "$WORK/hostile" --mail "$MALLORY" "$ADMISSIONS"
send_file "$MALLORY" "$WORK/hostile/hostile.eml"
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 2

sock="$WORK/notify.sock"
"$NOTIFY_LISTEN" "$sock" "$WORK/notify.times" >"$WORK/notify.log" &
listener=$!
trap 'kill $listener $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
start=$(date +%s)
NOTIFY_SOCKET="$sock" WATCHDOG_USEC=4000000 "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" \
  2>"$WORK/daemon.log" &
pid=$!
for _ in $(seq 1 900); do grep -q "^READY=1" "$WORK/notify.log" && break; sleep 0.1; done
elapsed=$(($(date +%s) - start))
check "the first cycle ends within the message's budget and a margin (${elapsed}s)" \
  test "$elapsed" -le 60
check "the application behind the hostile mail is filed in that cycle" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM applications a JOIN applicants p ON p.id = a.applicant_id WHERE p.email = '$ANA'")" 1
wait_mail "$ANA" 1 || true
check "and its applicant is answered" equals "$(mail_count "$ANA")" 1
problems=$(sqlite3 "$WORK/state/admitd.db" "SELECT a.problems FROM applications a JOIN applicants p ON p.id = a.applicant_id WHERE p.email = '$MALLORY'")
check "the hostile documents are filed as unreadable ($problems)" \
  bash -c "echo '$problems' | grep -q unreadable-document"
gaps=$(awk '$2 == "WATCHDOG=1" { if (last != "") printf "%.2f ", $1 - last; last = $1 }' "$WORK/notify.times")
# Enough pings to cover the cycle (how long the documents take depends on the machine and the
# build: the memory cap stops some in 2 s, the time budget in 10 s), none more than 2 s apart.
check "the watchdog was fed all along: no gap over half of it (${elapsed}s: $gaps)" \
  awk -v g="$gaps" -v t="$elapsed" 'BEGIN { n = split(g, a, " "); if (n < 1 || n < t / 2 - 2) exit 1
    for (i = 1; i <= n; i++) if (a[i] > 2.0) exit 1 }'
kill -TERM "$pid"
wait "$pid" || true
no_sanitizer_report "$WORK/daemon.log"
finish
