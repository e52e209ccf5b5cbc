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

# Another applicant sends the letter, then the CV from another account, replying to our note:
# the thread, not the address, names the application.
LENA=$(applicant lena.mueller@example.org)
{
  printf 'From: Lena <%s>\r\nTo: %s\r\nSubject: Bewerbung\r\nMessage-ID: <lena-letter@example.org>\r\n' "$LENA" "$ADMISSIONS"
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAnbei mein Anschreiben.\r\n'
  printf -- '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="Anschreiben.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  base64 -w 76 "$TESTS_DIR/mail/docs-letter.pdf" | sed 's/$/\r/'
  printf -- '--b--\r\n'
} >"$WORK/lena-letter.eml"
send_file "$LENA" "$WORK/lena-letter.eml"
wait_mail "$ADMISSIONS" 1
admitd --once
LENA_REF=$(admitctl list --json | jq -r --arg e "$LENA" '.[] | select(.email == $e) | .ref')
wait_mail "$LENA" 1
NOTE_ID=$(header "$(mail_files "$LENA" | sed -n 1p)" Message-Id)
OTHER=$(applicant lena.other@example.net)
{
  printf 'From: Lena <%s>\r\nTo: %s\r\nSubject: Re: incomplete\r\nMessage-ID: <lena-cv@example.net>\r\nIn-Reply-To: %s\r\n' "$OTHER" "$ADMISSIONS" "$NOTE_ID"
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHier der Lebenslauf.\r\n'
  printf -- '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="Lebenslauf.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  base64 -w 76 "$TESTS_DIR/mail/docs-cv.pdf" | sed 's/$/\r/'
  printf -- '--b--\r\n'
} >"$WORK/lena-cv.eml"
send_file "$OTHER" "$WORK/lena-cv.eml"
wait_mail "$ADMISSIONS" 1
check "a reply in the thread from another address is filed" admitd --once
check "it completes the same application" \
  equals "$(admitctl show "$LENA_REF" --json | jq -c '[.state, (.documents | length)]')" '["pending",2]'
check "no second application is opened" equals "$(admitctl list --json | jq length)" 2
finish
