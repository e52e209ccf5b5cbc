#!/usr/bin/env bash
# Deadline day: more applications at once than one search window (500), one group (50) and one
# UID MOVE (50) hold. One cycle files every one, answers every one and moves every one to
# Processed; the next cycle finds nothing to do.
. "$(dirname "$0")/lib.sh"

N=620
EXTRA_CONFIG="limits = { replies_per_hour = 100000; };" write_config
box=$(maildir "$ADMISSIONS")
mkdir -p "$box/new" "$box/cur" "$box/tmp"
# Straight into the Maildir: the test is about admitd, and this is much faster than SMTP.
for i in $(seq 1 "$N"); do
  sed -e "s/ana.sanchez@example.net/backlog$i-$CASE@example.net/g" \
    -e "s/app-ana-1@example.net/backlog-$i@example.net/" \
    "$TESTS_DIR/mail/complete-application.eml" >"$box/tmp/b$i"
  mv "$box/tmp/b$i" "$box/new/$i.b$i.admitd-test"
done
chown -R 65534:65534 "$box"

admitd --once 2>"$WORK/admitd.log"
check "one cycle files all $N" equals "$(admitctl list --json | jq length)" "$N"
check "each with its two documents counted" \
  equals "$(admitctl list --json | jq '[.[] | select([.documents[].pages] | sort == [1, 2])] | length')" "$N"
check "every message moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" "$N"
check "the inbox is empty" equals "$(mail_count "$ADMISSIONS")" 0
check "every acknowledgement sent" \
  equals "$(admitctl outbox --json | jq '[.[] | select(.state == "sent")] | length')" "$N"
check "no error logged" bash -c "! grep -q 'error' '$WORK/admitd.log'"
for _ in $(seq 1 100); do
  [ "$(find "$STACK_DIR/mail" -path "*backlog*-$CASE@example.net/Maildir/new/*" -type f | wc -l)" -ge "$N" ] && break
  sleep 0.2
done
check "every applicant has the acknowledgement" \
  equals "$(find "$STACK_DIR/mail" -path "*backlog*-$CASE@example.net/Maildir/new/*" -type f | wc -l)" "$N"
admitd --once 2>>"$WORK/admitd.log"
check "the next cycle files nothing" equals "$(grep -c 'intake uid=' "$WORK/admitd.log")" "$N"
finish
