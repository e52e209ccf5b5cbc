#!/usr/bin/env bash
# An applicant sends an application through Postfix; admitd --once files it and the
# acknowledgement with the reference arrives in the applicant's mailbox, exactly once.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
MARCO=$(applicant marco.rossi@example.net)
send_fixture complete-application.eml
send_fixture letter-only.eml
send_fixture out-of-office.eml
wait_mail "$ADMISSIONS" 3

check "admitd --once exits 0" admitd --once 2>"$WORK/once.log"
admitctl list --json >"$WORK/list.json"
check "three messages, two applications" equals "$(jq length "$WORK/list.json")" 2
ANA_REF=$(jq -r --arg e "$ANA" '.[] | select(.email == $e) | .ref' "$WORK/list.json")
check "reference from the configured prefix" equals "$(echo "$ANA_REF" | grep -cE '^AI4G-[0-9]{4}-[0-9]{4}$')" 1
check "complete application is pending" \
  equals "$(jq -r --arg e "$ANA" '.[] | select(.email == $e) | .state' "$WORK/list.json")" pending
check "pending application has a batch" \
  equals "$(jq -r --arg e "$ANA" '.[] | select(.email == $e) | .batch | type' "$WORK/list.json")" number
check "documents recognised as letter and CV" \
  equals "$(jq -r --arg e "$ANA" '[.[] | select(.email == $e) | .documents[].kind] | sort | join(",")' "$WORK/list.json")" cv,letter
check "document sizes and hashes recorded" \
  equals "$(jq -r --arg e "$ANA" '.[] | select(.email == $e) | .documents[] | select(.kind == "cv") | "\(.size) \(.sha256)"' "$WORK/list.json")" \
  "$(stat -c %s "$TESTS_DIR/mail/docs-cv.pdf") $(sha256sum "$TESTS_DIR/mail/docs-cv.pdf" | cut -d' ' -f1)"
check "received_at is ISO 8601" \
  equals "$(jq -r --arg e "$ANA" '.[] | select(.email == $e) | .received_at' "$WORK/list.json" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$')" 1
check "a letter alone is incomplete, missing the CV" \
  equals "$(jq -c --arg e "$MARCO" '.[] | select(.email == $e) | [.state, .problems]' "$WORK/list.json")" '["incomplete",["missing-cv"]]'

wait_mail "$ANA" 1
ACK=$(mail_files "$ANA" | sed -n 1p)
check "acknowledgement carries the reference in the subject" contains "$ACK" "^Subject: .*$ANA_REF"
check "acknowledgement answers the applicant's message" contains "$ACK" "^In-Reply-To: <app-ana-1@example.net>"
check "acknowledgement is marked Auto-Submitted" contains "$ACK" "^Auto-Submitted: auto-replied"
check "acknowledgement comes from programme.reply_from" contains "$ACK" "^From: AI4Gov Admissions <$ADMISSIONS>"
check "acknowledgement names the closing date of the batch" contains "$ACK" "closes on 20[0-9][0-9]-"
wait_mail "$MARCO" 1
check "the incomplete applicant is told what is missing" contains "$(mail_files "$MARCO" | sed -n 1p)" "your CV"
check "the out-of-office message is not answered" equals "$(mail_count "$(applicant kari.tamm@example.com)")" 0

check "every filed message moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" 3
check "the inbox is empty" equals "$(mail_count "$ADMISSIONS")" 0
admitctl outbox --json >"$WORK/outbox.json"
check "outbox: two replies sent once each" \
  equals "$(jq -c '[.[] | [.state, .attempts]] | unique' "$WORK/outbox.json")" '[["sent",1]]'
check "the log line of each letter names its application" \
  contains "$WORK/once.log" "outbox sent id=[0-9]* ref=$ANA_REF template=acknowledgement"
check "and never the applicant's address or name" \
  bash -c "! grep -E '$ANA|ana.sanchez|Sánchez' '$WORK/once.log'"
check "outbox JSON names template and reference" \
  equals "$(jq -r --arg r "$ANA_REF" '.[] | select(.ref == $r) | .template' "$WORK/outbox.json")" acknowledgement

check "a second --once exits 0" admitd --once
settle
check "a second --once sends nothing more" equals "$(mail_count "$ANA")" 1
check "the outbox did not grow" equals "$(admitctl outbox --json | jq length)" 2
check "status shows the last poll" contains <(admitctl status) "^Last poll  *20"
finish
