#!/usr/bin/env bash
# Re-sends are not changes: the same message again (same Message-ID, same sender) is a silent
# duplicate; the same documents in a new message change nothing and bring at most one "we
# already have these" a day, never a letter that claims the application was updated.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
db() { sqlite3 "$WORK/state/admitd.db" "$1"; }
again() { # NEW-MESSAGE-ID: Ana's application once more, as a new message
  sed -e "s/^Message-ID: .*/Message-ID: <$1@example.net>/" -e "s/ana.sanchez@/ana.sanchez-$CASE@/g" \
    "$TESTS_DIR/mail/complete-application.eml" >"$WORK/$1.eml"
  send_file "$ANA" "$WORK/$1.eml"
}
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
check "the application is filed" admitd --once
settle
wait_mail "$ANA" 1

send_fixture complete-application.eml # her client sends it twice: a new copy, new Received lines
wait_mail "$ADMISSIONS" 1
check "the same message again is filed" admitd --once
settle
check "as a duplicate" equals "$(db "SELECT outcome FROM messages ORDER BY id DESC LIMIT 1")" duplicate
check "and not answered" equals "$(mail_count "$ANA")" 1

again resend-1
wait_mail "$ADMISSIONS" 1
check "the same documents in a new message are filed" admitd --once
settle
wait_mail "$ANA" 2
check "they change nothing" equals "$(db "SELECT count(*) FROM documents WHERE superseded = 1")" 0
check "two documents, as before" equals "$(db "SELECT count(*) FROM documents")" 2
newest=$(ls -t "$(maildir "$ANA")"/new/* | head -1)
check "the applicant hears that we already have them" grep -q "already hold for" "$newest"
check "never that the application was updated" bash -c "! grep -l 'has been updated' $(maildir "$ANA")/new/*"

again resend-2
wait_mail "$ADMISSIONS" 1
check "a third copy the same day is filed" admitd --once
settle
check "with no further letter" equals "$(mail_count "$ANA")" 2
check "the application's story says so" \
  equals "$(admitctl history "$(admitctl list --json | jq -r '.[0].ref')" | grep -c resent)" 2
finish
