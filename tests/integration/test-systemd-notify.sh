#!/usr/bin/env bash
# Under systemd: READY once the first poll has run, STATUS lines a person can read, WATCHDOG
# pings, RELOADING then READY around a SIGHUP (a bad new config is refused and the old kept),
# STOPPING and exit 0 on SIGTERM. A socket of our own stands in for systemd's.
. "$(dirname "$0")/lib.sh"

write_config
sock="$WORK/notify.sock"
"$NOTIFY_LISTEN" "$sock" "$WORK/notify.times" >"$WORK/notify.log" &
listener=$!
trap 'kill $listener $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$sock" WATCHDOG_USEC=2000000 "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" \
  2>"$WORK/daemon.log" &
pid=$!
waitfor() { # PATTERN [SECONDS]
  for _ in $(seq 1 $((${2:-10} * 10))); do grep -q -- "$1" "$WORK/notify.log" && return 0; sleep 0.1; done
  return 1
}
check "READY after the first poll" waitfor "^READY=1"
check "a readable STATUS" waitfor "^STATUS=0 pending, 0 in review, no open batch, outbox empty"
sleep 4.5
# WATCHDOG_USEC=2 s: a ping at each second of sleep (the pings come after a quarter of the
# interval has passed), never a gap near the full 2 s.
gaps=$(awk '$2 == "WATCHDOG=1" { if (last != "") printf "%.2f ", $1 - last; last = $1 }' "$WORK/notify.times")
check "WATCHDOG pings keep coming ($gaps)" test "$(echo "$gaps" | wc -w)" -ge 3
check "every second: every gap between 0.9 and 1.5 s ($gaps)" \
  awk -v g="$gaps" 'BEGIN { n = split(g, a, " "); for (i = 1; i <= n; i++) if (a[i] < 0.9 || a[i] > 1.5) exit 1 }'

cp "$WORK/admitd.conf" "$WORK/good.conf"
echo 'this is not libconfig' >>"$WORK/admitd.conf"
: >"$WORK/notify.log"
kill -HUP "$pid"
check "RELOADING on SIGHUP" waitfor "^RELOADING=1"
check "then READY" waitfor "^READY=1"
check "a bad new config is refused" contains "$WORK/daemon.log" "reload refused"
check "the daemon keeps running" kill -0 "$pid"
cp "$WORK/good.conf" "$WORK/admitd.conf"
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
kill -HUP "$pid" # a good config now: reload, and poll at once
check "a good config is taken" waitfor "^READY=1"
wait_mail "$(applicant ana.sanchez@example.net)" 1 || true
check "mail is answered after the reload" equals "$(mail_count "$(applicant ana.sanchez@example.net)")" 1
check "STATUS counts the application" waitfor "^STATUS=1 pending, 0 in review, batch [0-9]* closes 20"

kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "STOPPING on SIGTERM" waitfor "^STOPPING=1" 2
check "exit 0" equals "$rc" 0
finish
