#!/usr/bin/env bash
# An erasure while a digest of several parts still waits to be sent: the part that names her
# is withdrawn, and so is the rest of that round, since the digest goes out again as a new
# round listing the batch's other applications. The commission gets that round only: each
# remaining application once, none twice, and no part that names her.
. "$(dirname "$0")/lib.sh"

# Each ~300 KB application is over 64 KB: a part of its own (its documents left out).
COMMISSION_EXTRA='max_message_bytes = 65536;' write_config
COMMISSION=commission-$CASE@example.org
inject_large_applications 3
check "the applications are filed" admitd --once
settle
admitctl batch close >/dev/null
waiting=$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE template = 'digest' AND state = 'queued'")
check "the digest waits in three parts" equals "$waiting" 3
ERASED="big1-$CASE@example.net"
ERASED_REF=$(admitctl list --json | jq -r --arg e "$ERASED" '.[] | select(.email == $e) | .ref')
admitctl gdpr erase "$ERASED" --yes >"$WORK/erase.out"
check "the part that names her is withdrawn" \
  grep -q "^  letters naming them .*(bodies removed; 1 not yet sent, withdrawn)" "$WORK/erase.out"
check "the digest is queued again" grep -q "^  digests queued again without them  1$" "$WORK/erase.out"
check "admitd sends what is queued" admitd --once
settle
wait_mail "$COMMISSION" 2
sleep 2
check "the commission gets the new round only: two parts" equals "$(mail_count "$COMMISSION")" 2
: >"$WORK/listed"
for f in $(mail_files "$COMMISSION"); do text_of "$f" | grep -o 'AI4G-[0-9]*-[0-9]*' | sort -u >>"$WORK/listed"; done
check "each remaining application listed once" equals "$(sort "$WORK/listed" | uniq -d | wc -l) $(sort -u "$WORK/listed" | wc -l)" "0 2"
check "and not hers" bash -c "! grep -q '$ERASED_REF' '$WORK/listed'"
check "no letter left waiting" equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')")" 0
finish
