#!/usr/bin/env bash
# A badly behaved auto-responder (no Auto-Submitted, no List headers) answers every mail it
# gets. admitd answers it at most limits.replies_per_address_per_day times, then holds its
# replies: the exchange stops, everything is still filed, and status counts what was held.
. "$(dirname "$0")/lib.sh"

write_config
LOOP=loop-$CASE@example.com
respond() { # N: the responder's Nth mail, answering our last one
  printf 'From: Responder <%s>\r\nTo: %s\r\nSubject: Re: your message (%s)\r\nMessage-ID: <loop-%s@example.com>\r\n\r\nThank you for your message. I will answer it soon.\r\n' \
    "$LOOP" "$ADMISSIONS" "$1" "$1" >"$WORK/loop-$1.eml"
  send_file "$LOOP" "$WORK/loop-$1.eml"
}
respond 0
seen=0
for round in $(seq 1 9); do
  wait_mail "$ADMISSIONS" 1 || break
  admitd --once 2>>"$WORK/admitd.log"
  settle
  now=$(mail_count "$LOOP")
  [ "$now" -gt "$seen" ] || break # we did not answer: the responder has nothing to answer
  seen=$now
  respond "$round"
done
check "the exchange stopped" test "$round" -lt 9
check "admitd answered exactly replies_per_address_per_day (5) times" equals "$(mail_count "$LOOP")" 5
check "every message was still filed" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM messages WHERE sender = '$LOOP'")" 6
check "the hold is logged" contains "$WORK/admitd.log" "reply held application=[0-9]* template="
check "without the sender's address (logs name applications)" bash -c "! grep -q '$LOOP' '$WORK/admitd.log'"
check "status counts the held reply" contains <(admitctl status) "^Replies held  *1 "
finish
