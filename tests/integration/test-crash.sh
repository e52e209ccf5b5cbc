#!/usr/bin/env bash
# Any moment may be the last: a few hundred applications, admitd killed with SIGKILL at random
# moments (fetch, parse, document worker, commit, move, send), restarted each time; and, on
# purpose, inside the one window no SMTP client can close: after the server's 250 and before
# our 'sent' mark (the after-send hook, src/testhook.h). Counted at the end from the mailboxes
# by Message-ID and from the store: lost, filed twice, unanswered, a second letter (a failure,
# always), and re-deliveries of the same letter (expected, once per kill in that window).
. "$(dirname "$0")/lib.sh"

N=${CRASH_APPLICATIONS:-300}
WAVE=15
MAX_RUNS=400
SANITIZER_LOGS="$WORK/admitd.log"
EXTRA_CONFIG="limits = { replies_per_hour = 100000; };" write_config
: >"$WORK/admitd.log"

# A run held at the after-send hook, then killed there. Returns 1 when it never got there
# (nothing left to send, or it finished first).
kill_after_send() {
  local pid i
  : >"$WORK/paused"
  # The second letter of the run: the first may be the resend of one a kill left 'sending',
  # and pausing there every time would stop all progress.
  ADMITD_TEST_PAUSE=after-send:2 ADMITD_TEST_PAUSE_FILE="$WORK/paused" \
    "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" --once 2>>"$WORK/admitd.log" &
  pid=$!
  for i in $(seq 1 300); do
    [ -s "$WORK/paused" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -s "$WORK/paused" ] && cut -d' ' -f2 "$WORK/paused" >>"$WORK/held-ids"
}

# Waves of applications; while each is in hand, admitd is killed at a random moment
# (kill_at_random, its window adapting to this machine) again and again, so the kills land in
# every phase of the work; every third run of a wave is held at the after-send hook and killed
# there.
kills=0 runs=0 held=0 budget_out=no
: >"$WORK/held-ids"
for first in $(seq 1 "$WAVE" "$N"); do
  inject_applications crash "$first" $((first + WAVE - 1))
  wave_runs=0
  while work_left; do
    if [ "$runs" -ge "$MAX_RUNS" ]; then budget_out=yes; break 2; fi
    runs=$((runs + 1)) wave_runs=$((wave_runs + 1))
    if [ $((wave_runs % 3)) = 0 ]; then
      kill_after_send && held=$((held + 1))
      continue
    fi
    if kill_at_random; then kills=$((kills + 1)); fi
    adapt_window
  done
done
run_until_done # then let it finish

admitctl list --json >"$WORK/list.json"
filed=$(jq length "$WORK/list.json")
distinct=$(jq '[.[].email] | unique | length' "$WORK/list.json")
lost=$((N - distinct)) duplicated=$((filed - distinct)) unanswered=0 second=0 repeats=0
: >"$WORK/repeated-ids"
for i in $(seq 1 "$N"); do
  files=$(mail_files "crash$i-$CASE@example.net")
  ids=$(for f in $files; do header "$f" Message-ID; done | sed '/^$/d' | sort)
  letters=$(printf '%s' "$ids" | grep -c . || true)
  kinds=$(printf '%s' "$ids" | sed '/^$/d' | uniq | wc -l)
  [ "$letters" = 0 ] && unanswered=$((unanswered + 1))
  [ "$kinds" -gt 1 ] && second=$((second + 1)) && echo "  crash$i got $kinds different letters" >&2
  repeats=$((repeats + letters - kinds))
  echo "$ids" | uniq -d | tr -d '<>' >>"$WORK/repeated-ids"
done
held_repeated=$(sort -u "$WORK/held-ids" | comm -12 - <(sort -u "$WORK/repeated-ids") | wc -l)
echo "crash: $N applications, $runs runs (kill window at the end ${WINDOW_MS} ms), $kills random kills, $held held at after-send:" \
  "lost=$lost duplicated=$duplicated unanswered=$unanswered second-letters=$second" \
  "re-deliveries=$repeats (of the held: $held_repeated)"
check "the kill budget ($MAX_RUNS runs) lasted to the last wave" equals "$budget_out" no
check "at least 30 random kills landed" test "$kills" -ge 30
check "at least 5 kills landed between the server's 250 and the 'sent' mark" test "$held" -ge 5
check "no application lost" equals "$lost" 0
check "no application filed twice" equals "$duplicated" 0
check "every applicant answered" equals "$unanswered" 0
check "no applicant got a second, different letter" equals "$second" 0
# A kill after the 250 leaves the row 'sending'; the next run sends the same message again.
check "each letter held after its 250 was delivered again, same Message-ID" \
  equals "$held_repeated" "$(sort -u "$WORK/held-ids" | wc -l)"
check "every message moved to Processed, once" equals "$(mail_count "$ADMISSIONS" Processed)" "$N"
check "the inbox is empty" equals "$(mail_count "$ADMISSIONS")" 0
finish
