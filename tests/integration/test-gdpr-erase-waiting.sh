#!/usr/bin/env bash
# An erasure while the commission's digest still waits to be sent: the batch has closed
# (`admitctl batch close` while admitd is stopped), so the queued digest names her. It is
# withdrawn, never sent blank nor as it was; her application is withdrawn, and the digest
# goes out again listing only the others. Nothing the commission receives names her.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
LENA=$(applicant lena.mueller@example.org)
COMMISSION=commission-$CASE@example.org
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
check "the applications are filed" admitd --once
settle
ref_of() { admitctl list --json | jq -r --arg e "$1" '.[] | select(.email == $e) | .ref'; }
ANA_REF=$(ref_of "$ANA")
LENA_REF=$(ref_of "$LENA")
admitctl batch close >/dev/null
check "the digest waits in the outbox" test "$(unsent)" -ge 1
check "and it names her" test -n "$(traces "$WORK/state" "$ANA" "Sánchez")"

admitctl gdpr erase "$ANA" --yes >"$WORK/erase.out"
check "erase withdraws her application, still in review" \
  grep -q "^  applications  *1 (.*1 under way now withdrawn)" "$WORK/erase.out"
check "erase withdraws the digest that was not yet sent" \
  grep -q "^  letters naming them .*  [1-9] (bodies removed; [1-9] not yet sent, withdrawn)" "$WORK/erase.out"
check "and queues the batch's digest again without her" \
  grep -q "^  digests queued again without them  1$" "$WORK/erase.out"
check "her application is withdrawn" equals \
  "$(admitctl list --json | jq -r --arg r "$ANA_REF" '.[] | select(.ref == $r) | .state')" withdrawn
check "Lena's is still in review" equals \
  "$(admitctl list --json | jq -r --arg r "$LENA_REF" '.[] | select(.ref == $r) | .state')" in_review

check "admitd sends what is queued" admitd --once
settle
wait_mail "$COMMISSION" 1
sleep 2
check "the commission gets one digest" equals "$(mail_count "$COMMISSION")" 1
digest=$(mail_files "$COMMISSION" | sed -n 1p)
check "it has a subject and a body (not a blank letter)" \
  bash -c "[ -n \"\$(grep -m1 '^Subject: ' '$digest')\" ] && [ \$(wc -c <'$digest') -gt 2000 ]"
check "it lists Lena" grep -q "$LENA_REF" "$digest"
found=$(traces "$(maildir "$COMMISSION")" "$ANA" "Ana Sánchez" "Sánchez" "$ANA_REF")
check "nothing the commission received names her (found in: ${found:-nothing})" test -z "$found"
check "no letter is left waiting, and none failed for the office to chase" equals \
  "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE state <> 'sent' AND superseded_at IS NULL")" 0
found=$(traces "$WORK/state" "$ANA" "Ana Sánchez" "Sánchez")
check "no byte of her is left in the store (found in: ${found:-nothing})" test -z "$found"
check "status asks for no attention" bash -c "! admitctl_raw status | grep -qi 'attention\|failed'"
finish
