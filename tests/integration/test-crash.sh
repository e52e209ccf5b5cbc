#!/usr/bin/env bash
# Any moment may be the last: a few hundred applications, admitd killed with SIGKILL at random
# moments (fetch, parse, document worker, commit, move, send), restarted each time. Counted from
# the mailboxes and the store at the end: lost, duplicated, unanswered, answered twice.
. "$(dirname "$0")/lib.sh"

N=${CRASH_APPLICATIONS:-300}
WAVE=30
EXTRA_CONFIG="limits = { replies_per_hour = 100000; };" write_config
work_left() {
  [ "$(mail_count "$ADMISSIONS")" != 0 ] ||
    [ "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE state <> 'sent'" 2>/dev/null || echo 1)" != 0 ]
}

# Waves of applications; while each is in hand, admitd is killed after a random 0-150 ms,
# again and again, so the kills land in every phase of the work.
kills=0 runs=0
for first in $(seq 1 "$WAVE" "$N"); do
  inject_applications crash "$first" $((first + WAVE - 1))
  while work_left && [ "$runs" -lt 400 ]; do
    "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" --once 2>>"$WORK/admitd.log" &
    pid=$!
    runs=$((runs + 1))
    sleep "0.$(printf '%03d' $((RANDOM % 150)))"
    if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
  done
done
# Then let it finish: cycles until the inbox is empty and every reply has gone out.
for _ in $(seq 1 20); do
  admitd --once 2>>"$WORK/admitd.log" || true
  [ "$(mail_count "$ADMISSIONS")" = 0 ] &&
    [ "$(admitctl outbox --json | jq '[.[] | select(.state != "sent")] | length')" = 0 ] && break
done
sleep 2

admitctl list --json >"$WORK/list.json"
filed=$(jq length "$WORK/list.json")
distinct=$(jq '[.[].email] | unique | length' "$WORK/list.json")
lost=$((N - distinct)) duplicated=$((filed - distinct)) unanswered=0 twice=0
for i in $(seq 1 "$N"); do
  n=$(mail_count "crash$i-$CASE@example.net")
  [ "$n" = 0 ] && unanswered=$((unanswered + 1))
  [ "$n" -gt 1 ] && twice=$((twice + 1))
done
resends=$(grep -c "admitd stopped while sending" "$WORK/admitd.log" || true)
echo "crash: $N applications, $runs runs, $kills kills: lost=$lost duplicated=$duplicated unanswered=$unanswered answered-twice=$twice (resends of rows caught mid-send: $resends)"
check "at least 30 kills landed" test "$kills" -ge 30
check "no application lost" equals "$lost" 0
check "no application filed twice" equals "$duplicated" 0
check "every applicant answered" equals "$unanswered" 0
# The one window no client can close: the server has queued the message, we are killed before
# marking it sent. Every repeat must come from such a resend, and be counted there.
check "answered twice only after a kill mid-send" test "$twice" -le "$resends"
check "every message moved to Processed, once" equals "$(mail_count "$ADMISSIONS" Processed)" "$N"
check "the inbox is empty" equals "$(mail_count "$ADMISSIONS")" 0
finish
