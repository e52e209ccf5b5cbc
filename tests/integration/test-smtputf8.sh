#!/usr/bin/env bash
# Applicants whose address is not ASCII (RFC 6531, josé@…). Through a submission server that
# offers SMTPUTF8 the acknowledgement reaches their mailbox, addressed as they wrote it. Through
# one that does not, the letter fails at once with the reason, which `admitctl outbox` and
# the office's summary show: the address cannot be answered from that server.
. "$(dirname "$0")/lib.sh"

OFFICE=office-$CASE@example.org
PROGRAMME_EXTRA="office_address = \"$OFFICE\";" write_config
JOSE="josé-$CASE@intl.example.org"
ZOE="zoë-$CASE@intl.example.org"
# Straight into the admissions mailbox, as an SMTPUTF8 MX would deliver it (the stack's LMTP
# cannot take such mail): the complete application, its From in UTF-8 (RFC 6532).
inject() { # NAME ADDRESS MESSAGE-ID
  local box
  box=$(maildir "$ADMISSIONS")
  mkdir -p "$box/new" "$box/cur" "$box/tmp"
  sed -e "s/^From: .*/From: $1 <$2>/" -e "s/^Message-ID: .*/Message-ID: <$3>/" \
    -e "1i Received: from mx.example.org by mail.admitd.test with UTF8SMTPS; $(date -R)" \
    "$TESTS_DIR/mail/complete-application.eml" >"$box/tmp/$3"
  mv "$box/tmp/$3" "$box/new/$(date +%s).$3.admitd-test"
  chown -R 65534:65534 "$box"
}
inject "José Pérez" "$JOSE" "app-jose-$CASE@intl.example.org"
check "José's application is filed" admitd --once
settle
wait_mail "$JOSE" 1
ack=$(mail_files "$JOSE" | sed -n 1p)
check "the acknowledgement reaches his mailbox" test -n "$ack"
check "addressed as he wrote it, in UTF-8 (RFC 6532)" grep -q "^To: .*<$JOSE>" "$ack"
check "it is the acknowledgement" grep -qi "we have received your application" "$ack"
check "the application keeps his address" equals \
  "$(admitctl list --json | jq -r --arg e "$JOSE" '[.[] | select(.email == $e)] | length')" 1

# A submission server without SMTPUTF8.
SMTP_URL="smtp://localhost:${MAILSTACK_NOUTF8_PORT:-10590}" PROGRAMME_EXTRA="office_address = \"$OFFICE\";" write_config
inject "Zoë Martin" "$ZOE" "app-zoe-$CASE@intl.example.org"
admitd --once 2>"$WORK/noutf8.log" || true
settle
ZOE_REF=$(admitctl list --json | jq -r --arg e "$ZOE" '.[] | select(.email == $e) | .ref')
check "Zoë's application is filed" test -n "$ZOE_REF"
admitctl outbox --json | jq -r --arg r "$ZOE_REF" '.[] | select(.ref == $r) | "\(.state)|\(.last_error)"' >"$WORK/zoe-row"
check "her letter fails at once, not retried for days" grep -q "^failed|" "$WORK/zoe-row"
check "saying why: the server does not offer SMTPUTF8" grep -q "SMTPUTF8" "$WORK/zoe-row"
check "nothing reached her mailbox" equals "$(mail_count "$ZOE")" 0
check "the summary goes out" admitd --once
settle
wait_mail "$OFFICE" 1
text_of "$(mail_files "$OFFICE" | sed -n 1p)" >"$WORK/summary.txt"
check "the office is told why she cannot be answered" \
  grep -q "address is not ASCII and the server does not offer SMTPUTF8" "$WORK/summary.txt"
check "and whom it is about" grep -q "$ZOE" "$WORK/summary.txt"
finish
