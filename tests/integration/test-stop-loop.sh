#!/usr/bin/env bash
# A message that stops admitd every time it is processed (here: a test hook holds the daemon in
# its intake and the test sends SIGABRT, as systemd's watchdog does) is not a restart loop:
# each crash is counted against the message in hand (crashmark.h), the third sets it aside as
# quarantined, the office is told, and the message behind it is filed; the message that shared
# its group is not counted against. After the fix, `admitctl quarantine release` files it, once.
. "$(dirname "$0")/lib.sh"

OFFICE=office-$CASE@example.org
PROGRAMME_EXTRA="office_address = \"$OFFICE\";" write_config
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
LENA=$(applicant lena.mueller@example.org)
pause="$WORK/pause.log"
for attempt in 1 2 3; do
  : >"$pause"
  ADMITD_TEST_PAUSE=intake ADMITD_TEST_PAUSE_FILE="$pause" \
    "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" --once 2>>"$WORK/daemon.log" &
  pid=$!
  for _ in $(seq 1 300); do [ -s "$pause" ] && break; sleep 0.1; done
  check "attempt $attempt reaches the intake of the first message" test -s "$pause"
  kill -ABRT "$pid"
  wait "$pid" 2>/dev/null || true
done
check "the crashes are counted against the first message" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT max(count) FROM attempts")" 2
check "and against no other" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM attempts")" 1
check "the third waits in the crash mark, for the next start" test -s "$WORK/state/spool/crashed"
check "the next run finishes" admitd --once
check "the message that stopped admitd is quarantined" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM messages WHERE outcome = 'quarantined' AND detail LIKE '%stopped 3 times%'")" 1
check "the message behind it is filed" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM applications")" 1
wait_mail "$LENA" 1
check "and answered" equals "$(mail_count "$LENA")" 1
wait_mail "$OFFICE" 1
check "the office is told" contains <(for f in $(mail_files "$OFFICE"); do header "$f" Subject; done) \
  "set aside after stopping admitd 3 times"
check "admitctl status counts it" contains <(admitctl status) "Quarantined     1 messages"
check "no attempts are left" equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM attempts")" 0

ANA=$(applicant ana.sanchez@example.net)
admitctl quarantine list >"$WORK/quarantine.list"
check "admitctl quarantine lists it with its reason" grep -q "stopped 3 times while processing it" "$WORK/quarantine.list"
id=$(awk 'NR == 1 { print $1 }' "$WORK/quarantine.list")
admitctl quarantine show "$id" >"$WORK/quarantine.show"
check "and shows it" grep -q "^Reason  *admitd stopped 3 times" "$WORK/quarantine.show"
admitctl quarantine release "$id" >"$WORK/release.out"
check "release files it again (the fix is in)" grep -q "filed as application AI4G-" "$WORK/release.out"
check "now two applications" equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM applications")" 2
check "nothing is quarantined any more" equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM messages WHERE outcome = 'quarantined'")" 0
check "admitd sends the acknowledgement" admitd --once
settle
wait_mail "$ANA" 1
check "which Ana gets" equals "$(mail_count "$ANA")" 1
out=$(admitctl_raw quarantine release "$id" 2>&1) && rc=0 || rc=$?
check "a second release is refused, saying why ($out)" bash -c "[ $rc != 0 ] && grep -q 'not quarantined' <<<'$out'"
finish
