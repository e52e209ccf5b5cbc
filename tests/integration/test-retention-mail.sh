#!/usr/bin/env bash
# Retention covers everything kept: the raw copies of an inquiry, of ignored, quarantined,
# too-large and duplicate mail and of a commission member's decision go after their kind's
# retention.*_days (with who sent them and what they said), and letters sent lose their bodies
# after letters_days; admitctl status shows the spool's size and the oldest item of each kind.
. "$(dirname "$0")/lib.sh"

EXTRA_CONFIG='retention = { ignored_days = 5; inquiry_days = 10; quarantined_days = 20; letters_days = 40;
  too_large_days = 5; duplicate_days = 5; decision_days = 30; };
limits = { max_message_bytes = 65536; };' write_config
db() { sqlite3 "$WORK/state/admitd.db" "$1"; }
send_fixture corpus/question-without-documents.eml
send_fixture out-of-office.eml
send_fixture complete-application.eml
box=$(maildir "$ADMISSIONS")
mkdir -p "$box/tmp" "$box/new"
printf 'Received: from test by mail.admitd.test; %s\r\nTo: %s\r\nSubject: no sender\r\n\r\nhello\r\n' "$(date -R)" "$ADMISSIONS" >"$box/tmp/nofrom"
mv "$box/tmp/nofrom" "$box/new/$(date +%s).nofrom.admitd-test"
{
  printf 'Received: from test by mail.admitd.test; %s\r\nFrom: Big <big-%s@example.com>\r\nTo: %s\r\nSubject: big\r\n\r\n' "$(date -R)" "$CASE" "$ADMISSIONS"
  head -c 90000 /dev/zero | tr '\0' 'x' | fold -w 76 | sed 's/$/\r/'
} >"$box/tmp/big"
mv "$box/tmp/big" "$box/new/$(date +%s).big.admitd-test"
chown -R 65534:65534 "$box"
wait_mail "$ADMISSIONS" 5
check "the mail is filed" admitd --once
settle
send_fixture complete-application.eml # her client sends it again: a duplicate
wait_mail "$ADMISSIONS" 1
check "the duplicate is filed" admitd --once
settle
COMMISSION=commission-$CASE@example.org
CHAIR=chair-$CASE@example.org
admitctl batch close >/dev/null
check "the digest goes out" admitd --once
settle
wait_mail "$COMMISSION" 1
digest_id=$(header "$(mail_files "$COMMISSION" | sed -n 1p)" Message-Id)
REF=$(admitctl list --json | jq -r '.[0].ref')
printf 'From: Chair <%s>\r\nTo: %s\r\nSubject: Re: digest\r\nMessage-ID: <decision-%s@example.org>\r\nIn-Reply-To: %s\r\nDate: %s\r\n\r\nACCEPT %s\r\n' \
  "$CHAIR" "$ADMISSIONS" "$CASE" "$digest_id" "$(date -R)" "$REF" >"$WORK/decision.eml"
send_file "$CHAIR" "$WORK/decision.eml"
wait_mail "$ADMISSIONS" 1
check "the chair's decision is filed" admitd --once
check "and applied" equals "$(admitctl list --json | jq -r '.[0].state')" accepted
spooled() { db "SELECT count(*) FROM messages WHERE outcome = '$1' AND spool_path <> ''"; }
file_of() { db "SELECT spool_path FROM messages WHERE outcome = '$1'"; }
INQUIRY=$(file_of inquiry) IGNORED=$(file_of ignored) QUARANTINED=$(file_of quarantined)
BIG=$(file_of too-large) DUPLICATE=$(file_of duplicate) DECISION=$(file_of decision)
check "each kind is spooled" equals "$(spooled inquiry) $(spooled ignored) $(spooled quarantined) $(spooled too-large) $(spooled duplicate) $(spooled decision)" "1 1 1 1 1 1"
admitctl status >"$WORK/status"
check "status shows the spool's size" grep -q "^Spool  *[0-9.]* MB in [0-9]* files" "$WORK/status"
check "and the oldest item of each kind" grep -q "^  inquiry  *1  oldest 20" "$WORK/status"
check "letters have bodies" test "$(db "SELECT count(*) FROM outbox WHERE state = 'sent' AND length(message) > 0")" -ge 2

check "day 6: the cycle runs" admitd --once --now "$(in_days 6)"
check "ignored mail is purged after ignored_days" bash -c "[ \$(sqlite3 '$WORK/state/admitd.db' \"SELECT count(*) FROM messages WHERE outcome = 'ignored' AND spool_path <> ''\") = 0 ] && [ ! -e '$IGNORED' ]"
check "with its sender" equals "$(db "SELECT coalesce(sender, '-') FROM messages WHERE outcome = 'ignored'")" -
check "so are the too-large and the duplicate ones" bash -c "[ ! -e '$BIG' ] && [ ! -e '$DUPLICATE' ]"
check "the inquiry is still kept" test -e "$INQUIRY"
check "day 11: the cycle runs" admitd --once --now "$(in_days 11)"
check "the inquiry is purged after inquiry_days" bash -c "[ ! -e '$INQUIRY' ]"
check "the quarantined mail is still kept" test -e "$QUARANTINED"
check "and so is the decision" test -e "$DECISION"
check "day 21: the cycle runs" admitd --once --now "$(in_days 21)"
check "the quarantined mail is purged after quarantined_days" bash -c "[ ! -e '$QUARANTINED' ]"
check "the application's raw message is not (its own rules)" equals "$(spooled application)" 1
check "the decision is still kept on day 21" bash -c "[ -e '$DECISION' ] && [ \$(sqlite3 '$WORK/state/admitd.db' \"SELECT count(*) FROM messages WHERE outcome = 'decision' AND sender IS NOT NULL\") = 1 ]"
check "letters still have bodies on day 21" test "$(db "SELECT count(*) FROM outbox WHERE state = 'sent' AND length(message) > 0")" -ge 2
check "day 41: the cycle runs" admitd --once --now "$(in_days 41)"
check "the decision is purged after decision_days" bash -c "[ ! -e '$DECISION' ] && [ \$(sqlite3 '$WORK/state/admitd.db' \"SELECT count(*) FROM messages WHERE outcome = 'decision' AND (spool_path <> '' OR sender IS NOT NULL)\") = 0 ]"
check "the decision it made stays" equals "$(admitctl list --json | jq -r '.[0].state')" accepted
check "sent letters lose their bodies after letters_days" \
  equals "$(db "SELECT count(*) FROM outbox WHERE state = 'sent' AND length(message) > 0 AND sent_at < '$(in_days 1)'")" 0
check "the rows stay" test "$(db "SELECT count(*) FROM outbox WHERE state = 'sent'")" -ge 2
finish
