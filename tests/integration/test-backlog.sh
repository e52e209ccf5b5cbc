#!/usr/bin/env bash
# Deadline day: more applications at once than one search window (500), one group (50) and one
# UID MOVE (50) hold. One cycle files every one, answers every one and moves every one to
# Processed, read (\Seen set once a window, not by each fetch); the next cycle finds nothing to do.
. "$(dirname "$0")/lib.sh"

N=620
EXTRA_CONFIG="limits = { replies_per_hour = 100000; };" write_config
inject_applications backlog 1 "$N"

admitd --once --trace-imap 2>"$WORK/admitd.log"
check "one cycle files all $N" equals "$(admitctl list --json | jq length)" "$N"
check "each with its two documents counted" \
  equals "$(admitctl list --json | jq '[.[] | select([.documents[].pages] | sort == [1, 2])] | length')" "$N"
check "every message moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" "$N"
check "the inbox is empty" equals "$(mail_count "$ADMISSIONS")" 0
check "every processed message is marked read" equals \
  "$(find "$STACK_DIR/mail/$ADMISSIONS/Maildir/.Processed/cur" -type f -name '*:2,*S*' | wc -l)" "$N"
# 500 + 120 new messages, \Seen set fifty to a command: 10 + 3 STOREs.
check "seen set in bulk before the fetches" equals "$(grep -c '^imap> .* UID STORE' "$WORK/admitd.log")" 13
check "every acknowledgement sent" \
  equals "$(admitctl outbox --json | jq '[.[] | select(.state == "sent")] | length')" "$N"
check "no error logged" bash -c "! grep -q 'error' '$WORK/admitd.log'"
settle
acknowledged() {
  find "$STACK_DIR/mail" -path "*backlog*-$CASE@example.net/Maildir/new/*" -type f | wc -l
}
check "every applicant has the acknowledgement" equals "$(acknowledged)" "$N"
ledger() { sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM messages"; }
check "the ledger holds each message once" equals "$(ledger)" "$N"
admitd --once 2>>"$WORK/admitd.log"
settle
check "the next cycle files nothing" equals "$(grep -c 'intake uid=' "$WORK/admitd.log")" "$N"
check "the ledger did not grow" equals "$(ledger)" "$N"
check "no application was added" equals "$(admitctl list --json | jq length)" "$N"
check "the outbox did not grow" equals "$(admitctl outbox --json | jq length)" "$N"
check "no applicant got a second letter" equals "$(acknowledged)" "$N"
check "nor marks anything" equals "$(grep -c '^imap> .* UID STORE' "$WORK/admitd.log")" 13
finish
