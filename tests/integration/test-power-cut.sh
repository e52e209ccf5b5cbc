#!/usr/bin/env bash
# The power fails while admitd works: its state folder (database and spool) is an ext4 on a
# loop device, shut down at a random moment without writing what is only in memory
# (tests/power-cut.c), then mounted again, as after a reboot. A SIGKILL keeps the page cache; this
# does not, so it is what proves the fsyncs. After every cut: the database is sound, every
# message the server moved to Processed is in the ledger with its raw copy in the spool, and
# every applicant who got a letter has the application that letter names. At the end, every
# application is filed once and answered with one letter.
. "$(dirname "$0")/lib.sh"

N=${POWER_CUT_APPLICATIONS:-200}
WAVE=20
MAX_CUTS=120
SANITIZER_LOGS="$WORK/admitd.log"
EXTRA_CONFIG="limits = { replies_per_hour = 100000; };" write_config
: >"$WORK/admitd.log"

STATE=$WORK/state
IMAGE=$WORK/state.img
LOOPDEV=""
cleanup() {
  mountpoint -q "$STATE" && { umount "$STATE" || umount -l "$STATE"; }
  [ -n "$LOOPDEV" ] && losetup -d "$LOOPDEV"
  rm -f "$IMAGE"
}
trap cleanup EXIT
truncate -s 256M "$IMAGE"
mkfs.ext4 -q -F "$IMAGE"
LOOPDEV=$(losetup -f --show "$IMAGE") || { echo "no loop device: the power-cut test needs one" >&2; exit 1; }
mkdir -p "$STATE"
mount "$LOOPDEV" "$STATE"

# After a cut: unmount what is left of the filesystem and mount it again (the journal replays).
reboot_state() {
  local _
  for _ in $(seq 1 50); do umount "$STATE" 2>/dev/null && break; sleep 0.1; done
  mount "$LOOPDEV" "$STATE"
}

db() { sqlite3 "$STATE/admitd.db" "$@"; }
# One grep over all the files, not a process per file: this runs after every cut. (The
# injected messages' Message-ID headers are one line each.)
processed_ids() {
  mail_files "$ADMISSIONS" Processed | xargs -r grep -h -i -m1 '^Message-ID:' |
    sed 's/^[^:]*: *//' | tr -d '<> \r' | sort -u
}
# Letters received: "ADDRESS REF" for each letter in each applicant's mailbox.
letters() {
  find "$STACK_DIR/mail" -type f \( -path "*/cut*-$CASE@example.net/Maildir/new/*" \
    -o -path "*/cut*-$CASE@example.net/Maildir/cur/*" \) |
    xargs -r grep -H -o -m1 'AI4G-[0-9]*-[0-9]*' |
    sed -n "s|.*/mail/\([^/]*\)/Maildir/.*:\(AI4G-[0-9]*-[0-9]*\)\$|\1 \2|p" | sort -u
}

# What must hold after every cut. Prints what is wrong; returns 1 if anything is.
survived() {
  local bad=0 id line
  [ -f "$STATE/admitd.db" ] || { [ -z "$(processed_ids)" ] && return 0; echo "  the database is gone" >&2; return 1; }
  [ "$(db 'PRAGMA integrity_check')" = ok ] || { echo "  integrity_check failed" >&2; return 1; }
  db "SELECT message_id FROM messages" | sort -u >"$WORK/ledger-ids"
  for id in $(processed_ids | comm -23 - "$WORK/ledger-ids"); do
    echo "  moved to Processed but not in the ledger: $id" >&2
    bad=1
  done
  db "SELECT sha256 || '  ' || spool_path FROM messages" >"$WORK/spool-sums"
  # (sha256sum -c refuses an empty list: a cut before the first commit leaves none.)
  if [ -s "$WORK/spool-sums" ] && ! sha256sum -c --quiet "$WORK/spool-sums" >"$WORK/spool-check" 2>&1; then
    sed 's/^/  the spool copy is missing or damaged: /' "$WORK/spool-check" >&2
    bad=1
  fi
  "$ADMITD_BIN/admitctl" -c "$WORK/admitd.conf" list --json | jq -r '.[] | "\(.email) \(.ref)"' | sort -u >"$WORK/filed"
  while read -r line; do
    echo "  a letter names an application the store does not have: $line" >&2
    bad=1
  done < <(letters | comm -23 - "$WORK/filed")
  return "$bad"
}


cuts=0 landed=0 broken=0 budget_out=no
# The power fails at a random moment (kill_at_random, its window adapting to this machine)
# while each wave is in hand.
for first in $(seq 1 "$WAVE" "$N"); do
  inject_applications cut "$first" $((first + WAVE - 1))
  while work_left; do
    if [ "$cuts" -ge "$MAX_CUTS" ]; then budget_out=yes; break 2; fi
    # The whole process group goes: a document worker left alive would keep files open on
    # the dead filesystem and make it impossible to unmount.
    if kill_at_random "$POWER_CUT" "$STATE"; then landed=$((landed + 1)); fi
    cuts=$((cuts + 1))
    settle
    reboot_state
    adapt_window
    survived || { broken=$((broken + 1)); echo "  (after cut $cuts)" >&2; }
  done
done
run_until_done # then let it finish

admitctl list --json >"$WORK/list.json"
filed=$(jq length "$WORK/list.json")
distinct=$(jq '[.[].email] | unique | length' "$WORK/list.json")
unanswered=0 second=0
for i in $(seq 1 "$N"); do
  kinds=$(for f in $(mail_files "cut$i-$CASE@example.net"); do header "$f" Message-ID; done | sort -u | wc -l)
  [ "$kinds" = 0 ] && unanswered=$((unanswered + 1))
  [ "$kinds" -gt 1 ] && second=$((second + 1))
done
echo "power-cut: $N applications, $cuts cuts (window at the end ${WINDOW_MS} ms) ($landed while admitd worked), $broken left something lost; filed=$filed distinct=$distinct unanswered=$unanswered second-letters=$second"
check "the cut budget ($MAX_CUTS) lasted to the last wave" equals "$budget_out" no
check "at least 10 cuts while admitd worked" test "$landed" -ge 10
check "after every cut nothing acknowledged or moved was lost" equals "$broken" 0
check "every application filed" equals "$distinct" "$N"
check "none twice" equals "$filed" "$N"
check "every applicant answered" equals "$unanswered" 0
check "no applicant got a second, different letter" equals "$second" 0
check "every message moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" "$N"
finish
