#!/usr/bin/env bash
# A resubmission before the batch closes replaces the document of its kind (the old one stays
# on record) once the applicant confirms it (it came as a new mail, not in our thread:
# confirm.h); after the batch closes the documents are kept, the application under review is
# not changed, and the applicant is told.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
db() { sqlite3 "$WORK/state/admitd.db" "$1"; }
as_ana() { # FIXTURE NEW-MESSAGE-ID: a corpus message, sent by Ana
  sed -e "s/^From: .*/From: Ana <$ANA>/" -e "s/^Message-ID: .*/Message-ID: <$2@example.net>/" \
    "$TESTS_DIR/mail/corpus/$1.eml" >"$WORK/$2.eml"
  send_file "$ANA" "$WORK/$2.eml"
}
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
check "the application is filed" admitd --once
REF=$(admitctl list --json | jq -r '.[0].ref')

as_ana too-long-cv-and-letter resubmission-1
wait_mail "$ADMISSIONS" 1
check "the resubmission is filed" admitd --once
wait_mail "$ANA" 2
confirm=$(grep -l "please confirm the change" "$(maildir "$ANA")"/new/* | head -1)
check "it waits for Ana to confirm it" test -n "$confirm"
printf 'From: Ana <%s>\r\nTo: %s\r\nSubject: Re: confirm\r\nMessage-ID: <confirm-1@example.net>\r\nIn-Reply-To: %s\r\n\r\nYes, that was me.\r\n' \
  "$ANA" "$ADMISSIONS" "$(header "$confirm" Message-ID)" >"$WORK/confirm.eml"
send_file "$ANA" "$WORK/confirm.eml"
wait_mail "$ADMISSIONS" 1
check "her confirmation is filed" admitd --once
admitctl show "$REF" --json >"$WORK/show.json"
check "the new documents replace the old ones" \
  equals "$(jq -r '[.documents[] | "\(.kind):\(.pages)"] | sort | join(",")' "$WORK/show.json")" "cv:3,letter:2"
check "their problems are flagged" equals "$(jq -r '.problems | sort | join(",")' "$WORK/show.json")" "cv-too-long,letter-too-long"
check "still pending" equals "$(jq -r .state "$WORK/show.json")" pending
check "the old documents stay on record" equals "$(db "SELECT count(*) FROM documents WHERE superseded = 1")" 2
wait_mail "$ANA" 3
check "the applicant is told the application was updated" \
  bash -c "grep -l 'has been updated' $(maildir "$ANA")/new/* | xargs grep -q 'longer than the two pages'"

admitctl batch close >/dev/null
as_ana gmail-alternative-body resubmission-2
wait_mail "$ADMISSIONS" 1
check "a resubmission after the batch closed is filed" admitd --once
admitctl show "$REF" --json >"$WORK/show.json"
check "the application under review keeps its documents" \
  equals "$(jq -r '[.documents[] | "\(.kind):\(.pages)"] | sort | join(",")' "$WORK/show.json")" "cv:3,letter:2"
check "it stays in review" equals "$(jq -r .state "$WORK/show.json")" in_review
check "the late documents are kept" equals "$(db "SELECT count(*) FROM documents")" 6
wait_mail "$ANA" 4
check "the applicant is told it is already under review" \
  bash -c "grep -lq 'being reviewed by the academic commission' $(maildir "$ANA")/new/*"
check "the history records it" contains <(admitctl history "$REF") "late-documents"
finish
