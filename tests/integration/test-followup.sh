#!/usr/bin/env bash
# A letter alone makes an incomplete application; the CV sent later in the same thread
# completes the same application, which is then acknowledged.
. "$(dirname "$0")/lib.sh"

write_config
MARCO=$(applicant marco.rossi@example.net)
send_fixture letter-only.eml
wait_mail "$ADMISSIONS" 1
check "first cycle exits 0" admitd --once
REF=$(admitctl list --json | jq -r '.[0].ref')
check "the application is incomplete" equals "$(admitctl show "$REF" --json | jq -r .state)" incomplete
wait_mail "$MARCO" 1
check "the applicant is asked for the CV" contains "$(mail_files "$MARCO" | sed -n 1p)" "is incomplete"

send_fixture cv-followup.eml
wait_mail "$ADMISSIONS" 1
check "second cycle exits 0" admitd --once
admitctl list --json >"$WORK/list.json"
check "still one application" equals "$(jq length "$WORK/list.json")" 1
check "the same application is now pending with both documents" \
  equals "$(jq -c '.[0] | [.ref, .state, .problems, (.documents | length)]' "$WORK/list.json")" \
  "[\"$REF\",\"pending\",[],2]"
wait_mail "$MARCO" 2
check "the applicant now has the acknowledgement" \
  equals "$(grep -l "^Subject: .*received your application $REF" $(mail_files "$MARCO") | wc -l)" 1
check "history tells the story" equals "$(admitctl history "$REF" | awk '{print $2}' | tr '\n' ' ')" \
  "received incomplete pending "
finish
