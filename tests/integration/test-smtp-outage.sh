#!/usr/bin/env bash
# With the SMTP server unreachable the acknowledgement stays queued (nothing lost); it goes
# out when the server is back and its backoff has passed, exactly once.
. "$(dirname "$0")/lib.sh"

SMTP_URL="smtp://localhost:10599" write_config # nothing listens there
ANA=$(applicant ana.sanchez@example.net)
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
admitd --once && rc=0 || rc=$?
check "--once reports a temporary failure (75)" equals "$rc" 75
check "the application is filed all the same" equals "$(admitctl list --json | jq -r '.[0].state')" pending
admitctl outbox --json >"$WORK/outbox.json"
check "the acknowledgement is queued after one attempt" \
  equals "$(jq -c '.[0] | [.state, .attempts]' "$WORK/outbox.json")" '["queued",1]'
check "the outbox says why" equals "$(jq -r '.[0].last_error | length > 0' "$WORK/outbox.json")" true
check "the message left the inbox" equals "$(mail_count "$ADMISSIONS")" 0

write_config # the server is back
check "before the backoff has passed nothing is due" admitd --once
check "still queued" equals "$(admitctl outbox --json | jq -r '.[0].state')" queued
check "after the backoff it is sent" admitd --once --now "$(date -u -d '+5 minutes' +%FT%TZ)"
check "outbox row sent after two attempts" \
  equals "$(admitctl outbox --json | jq -c '.[0] | [.state, .attempts]')" '["sent",2]'
wait_mail "$ANA" 1
check "one acknowledgement arrives" equals "$(mail_count "$ANA")" 1
check "a later cycle sends nothing more" admitd --once --now "$(date -u -d '+1 day' +%FT%TZ)"
settle
check "still exactly one acknowledgement" equals "$(mail_count "$ANA")" 1
finish
