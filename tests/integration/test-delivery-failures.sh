#!/usr/bin/env bash
# Letters that cannot be delivered: refused at RCPT (5xx) the row fails at once; accepted and
# then bounced, the delivery report is matched to its row by Message-ID. The office gets one
# summary, admitctl outbox shows why, and admitctl resend queues a letter again.
. "$(dirname "$0")/lib.sh"

OFFICE=office-$CASE@example.org
PROGRAMME_EXTRA="office_address = \"$OFFICE\";" write_config
as_sender() { # ADDRESS MESSAGE-ID: the complete application, from ADDRESS
  sed -e "s/^From: .*/From: Someone <$1>/" -e "s/^Message-ID: .*/Message-ID: <$2>/" \
    "$TESTS_DIR/mail/complete-application.eml" >"$WORK/$2.eml"
  send_file "$1" "$WORK/$2.eml"
}
as_sender "nobody-$CASE@rejected.example.com" rejected-1@example.com
as_sender "gone-$CASE@bounce.example.com" bounced-1@example.com
wait_mail "$ADMISSIONS" 2
admitd --once 2>"$WORK/first.log" || true
ref_of() { admitctl list --json | jq -r --arg e "$1" '.[] | select(.email == $e) | .ref'; }
REJECTED=$(ref_of "nobody-$CASE@rejected.example.com")
row() { admitctl outbox --json | jq -r --arg r "$1" '.[] | select(.ref == $r) | "\(.state) \(.last_error)"'; }
check "a letter refused with 5xx fails at once" bash -c "'$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' outbox --json | jq -e --arg r '$REJECTED' '.[] | select(.ref == \$r and .state == \"failed\" and (.last_error | test(\"550\")))' >/dev/null"

wait_mail "$ADMISSIONS" 1 # the delivery report for the bounced letter
check "the delivery report is filed" admitd --once
BOUNCED=$(ref_of "gone-$CASE@bounce.example.com")
check "the bounced letter is matched to its row" bash -c "[[ '$(row "$BOUNCED")' == failed\ bounced:* ]]"
check "the applicant is marked undeliverable" \
  test -n "$(sqlite3 "$WORK/state/admitd.db" "SELECT undeliverable_at FROM applicants WHERE email = 'gone-$CASE@bounce.example.com'")"
check "the delivery report itself is not answered" equals "$(mail_count "$ADMISSIONS" Processed)" 3
check "the summary goes out" admitd --once
# One summary per cycle that found failures (here: the refusal, then the bounce), never one
# mail per failure, and each failure reported once.
wait_mail "$OFFICE" 2
settle
check "two summaries for two cycles with failures" equals "$(mail_count "$OFFICE")" 2
named() { grep -l -- "$1" $(mail_files "$OFFICE") | wc -l; }
check "the refused letter is reported once" equals "$(named "nobody-$CASE@rejected.example.com")" 1
check "the bounced letter is reported once" equals "$(named "gone-$CASE@bounce.example.com")" 1

check "resend queues the failed letter again" contains <(admitctl resend "$REJECTED") "1 letter(s) queued again"
check "it is queued" bash -c "[[ '$(row "$REJECTED")' == queued* ]]"
admitd --once 2>/dev/null || true
check "refused again, it fails again" bash -c "[[ '$(row "$REJECTED")' == failed* ]]"
finish
