#!/usr/bin/env bash
# Outside every edition an application is kept for the next one and its applicant told; when
# that edition opens, the application joins it and the applicant is told, once.
. "$(dirname "$0")/lib.sh"

EDITION_OPENS=+10 EDITION_CLOSES=+200 write_config
ANA=$(applicant ana.sanchez@example.net)
MARCO=$(applicant marco.rossi@example.net)
send_fixture complete-application.eml
send_fixture letter-only.eml
wait_mail "$ADMISSIONS" 2
check "the cycle succeeds" admitd --once
check "both are kept for the next edition" \
  equals "$(admitctl list --json | jq -r '[.[].state] | unique | join(",")')" next_edition
wait_mail "$ANA" 1
check "the applicant is told" contains "$(mail_files "$ANA" | sed -n 1p)" "next edition"

check "nothing changes before the edition opens" admitd --once --now "$(in_days 9)"
check "still kept" equals "$(admitctl list --state next_edition --json | jq length)" 2
check "the edition opens" admitd --once --now "$(in_days 11)"
admitctl list --json >"$WORK/list.json"
check "the complete one is pending in the new edition" \
  equals "$(jq -r --arg e "$ANA" '.[] | select(.email == $e) | "\(.state) \(.edition) \(.batch | type)"' "$WORK/list.json")" "pending 2026-2027 number"
check "the incomplete one is incomplete in it" \
  equals "$(jq -r --arg e "$MARCO" '.[] | select(.email == $e) | "\(.state) \(.edition)"' "$WORK/list.json")" "incomplete 2026-2027"
wait_mail "$ANA" 2
wait_mail "$MARCO" 2
check "the complete applicant is told when the batch closes" \
  bash -c "grep -l 'edition is open' $(maildir "$ANA")/new/* | xargs grep -q 'batch that closes on'"
check "the incomplete applicant is told what is missing" \
  bash -c "grep -l 'edition is open' $(maildir "$MARCO")/new/* | xargs grep -q 'your CV'"
check "a later cycle tells nobody again" admitd --once --now "$(in_days 12)"
settle
check "one letter each about the opening" equals "$(mail_count "$ANA") $(mail_count "$MARCO")" "2 2"
finish
