#!/usr/bin/env bash
# A message over limits.max_message_bytes is not downloaded: only its header is fetched, the
# sender is told politely, nothing is filed as an application, and it moves to Processed.
# Then the default limit (25 MB, what Gmail takes): 11 MB is read whole, 27 MB is not. Those
# two go straight into the Maildir, since our Postfix keeps its own 10 MB default. A 30 MB
# header (one was 100 MB) is fetched only as far as its first 256 KB.
. "$(dirname "$0")/lib.sh"

EXTRA_CONFIG='limits = { max_message_bytes = 65536; };' write_config
BIG=$(applicant big.sender@example.com)
{
  printf 'From: Big Sender <%s>\r\nTo: %s\r\nSubject: Application\r\nMessage-ID: <big-1@example.com>\r\n' "$BIG" "$ADMISSIONS"
  printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
  printf -- '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="CV.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  head -c 120000 /dev/urandom | base64 -w 76 | sed 's/$/\r/'
  printf -- '--b--\r\n'
} >"$WORK/big.eml"
send_file "$BIG" "$WORK/big.eml"
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 2
check "the cycle succeeds" admitd --once
check "only the normal application is filed" equals "$(admitctl list --json | jq -r '[.[].email] | join(",")')" "$(applicant ana.sanchez@example.net)"
check "the ledger records the large message" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT outcome FROM messages WHERE message_id = 'big-1@example.com'")" too-large
spooled=$(sqlite3 "$WORK/state/admitd.db" "SELECT spool_path FROM messages WHERE message_id = 'big-1@example.com'")
check "only its header was downloaded" test "$(stat -c %s "$spooled")" -lt 4096
wait_mail "$BIG" 1
check "the sender is told it was too large" contains "$(mail_files "$BIG" | sed -n 1p)" "larger than"
check "both messages moved to Processed" equals "$(mail_count "$ADMISSIONS" Processed)" 2

write_config # limits.max_message_bytes left at its default
big_message() { # NAME BYTES-OF-ATTACHMENT
  local box
  box=$(maildir "$ADMISSIONS")
  {
    printf 'Received: from test by mail.admitd.test; %s\r\n' "$(date -R)"
    printf 'From: %s <%s>\r\nTo: %s\r\nSubject: Application\r\nMessage-ID: <%s@example.com>\r\n' "$1" "$(applicant "$1@example.com")" "$ADMISSIONS" "$1"
    printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
    printf -- '--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename="photo.jpg"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    head -c "$2" /dev/urandom | base64 -w 76 | sed 's/$/\r/'
    printf -- '--b--\r\n'
  } >"$box/tmp/$1"
  chown 65534:65534 "$box/tmp/$1"
  mv "$box/tmp/$1" "$box/new/$(date +%s).$1.admitd-test"
}
big_message eleven 8000000
big_message twentyseven 20000000
box=$(maildir "$ADMISSIONS")
{
  printf 'Received: from test by mail.admitd.test; %s\r\n' "$(date -R)"
  printf 'From: Huge <%s>\r\nTo: %s\r\nSubject: Application\r\nMessage-ID: <hugeheader@example.com>\r\n' "$(applicant huge@example.com)" "$ADMISSIONS"
  awk 'BEGIN { for (i = 0; i < 400000; i++) printf "X-Filler: %074d\r\n", i }'
  printf '\r\nhello\r\n'
} >"$box/tmp/hugeheader"
chown 65534:65534 "$box/tmp/hugeheader"
mv "$box/tmp/hugeheader" "$box/new/$(date +%s).hugeheader.admitd-test"
check "the cycle with the default limit succeeds" admitd --once
outcome() { sqlite3 "$WORK/state/admitd.db" "SELECT outcome FROM messages WHERE message_id = '$1@example.com'"; }
spooled_size() { stat -c %s "$(sqlite3 "$WORK/state/admitd.db" "SELECT spool_path FROM messages WHERE message_id = '$1@example.com'")"; }
check "11 MB is under the default 25 MB: read whole" test "$(spooled_size eleven)" -gt 10000000
check "and not refused" test "$(outcome eleven)" != too-large
check "27 MB is over it: too-large" equals "$(outcome twentyseven)" too-large
check "only its header was downloaded" test "$(spooled_size twentyseven)" -lt 4096
check "a 30 MB header is too-large" equals "$(outcome hugeheader)" too-large
check "and only its first 256 KB were downloaded" test "$(spooled_size hugeheader)" -le 262144
settle
check "its sender is still told" test "$(mail_count "$(applicant huge@example.com)")" -ge 1
finish
