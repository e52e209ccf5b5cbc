#!/usr/bin/env bash
# Erase means gone: after `admitctl gdpr erase`, with the daemon's connection to the store
# open, no byte of the applicant's address or name is left in the database, its WAL or the
# spool — in plain text, quoted-printable or base64 — although the commission's digest
# (its table, its dossier), the chair's reply quoting her row and the transcript named her.
# The command says what it removed, item by item, and records the erasure by a hash only; an
# export made just before lists exactly the same items.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
LENA=$(applicant lena.mueller@example.org)
CHAIR=chair-$CASE@example.org
COMMISSION=commission-$CASE@example.org
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
check "the applications are filed" admitd --once
admitctl batch close >/dev/null
check "the digest goes out" admitd --once
settle
wait_mail "$COMMISSION" 1
digest=$(mail_files "$COMMISSION" | sed -n 1p)
ANA_REF=$(admitctl list --json | jq -r --arg e "$ANA" '.[] | select(.email == $e) | .ref')
TOKEN=$(header "$digest" Subject | grep -o '\[[^]]*\]' | tail -1)
printf 'From: Chair <%s>\r\nTo: %s\r\nSubject: Re: batch %s\r\nMessage-ID: <chair-1@example.org>\r\nIn-Reply-To: %s\r\nDate: %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nACCEPT %s\r\n\r\n> %s  Ana S=C3=A1nchez  %s\r\n' \
  "$CHAIR" "$ADMISSIONS" "$TOKEN" "$(header "$digest" Message-Id)" "$(date -R)" "$ANA_REF" "$ANA_REF" "$ANA" >"$WORK/reply.eml"
send_file "$CHAIR" "$WORK/reply.eml"
wait_mail "$ADMISSIONS" 1
check "the chair's decision is applied" admitd --once
settle
check "Ana is accepted" equals "$(admitctl list --json | jq -r --arg r "$ANA_REF" '.[] | select(.ref == $r) | .state')" accepted

check "before the erase, her name is in the store in many places" \
  test "$(traces "$WORK/state" "$ANA" "Ana Sánchez" "Sánchez" | wc -l)" -ge 3

admitctl gdpr export "$ANA" --out "$WORK/export" >/dev/null
J="$WORK/export/person.json"

# Erase with the daemon running: its connection to the store stays open throughout.
"$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" 2>"$WORK/daemon.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 2
admitctl gdpr erase "$ANA" --yes >"$WORK/erase.out"
check "erase says what it removed: her documents" grep -q "^  documents  *2$" "$WORK/erase.out"
check "the letters naming her to the commission (digest, transcript)" \
  bash -c "grep '^  letters naming them' '$WORK/erase.out' | grep -q -E '  [2-9] \\('"
check "the chair's reply quoting her" grep -q "^  others' replies quoting them  1 " "$WORK/erase.out"
hash=$(printf '%s' "$ANA" | sha256sum | cut -d' ' -f1)
check "the erasure is recorded by the address's hash" grep -q "sha256:$hash" "$WORK/erase.out"
check "and in the history, with no address" \
  bash -c "admitctl_out=\$('$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' history '$ANA_REF'); grep -q 'sha256:$hash' <<<\"\$admitctl_out\" && ! grep -q '$ANA' <<<\"\$admitctl_out\""
check "the daemon still runs" kill -0 "$pid"
erased() { sed -n "s/^  $1  *\([0-9]*\).*/\1/p" "$WORK/erase.out"; }
exported=$(jq -r '[(.applications, .documents, .messages, .letters, .events, .decisions, .waiting_changes, .mentions.letters, .mentions.replies) | length] | join(" ")' "$J")
check "the export listed the same items the erase removed ($exported)" equals \
  "$exported" "$(erased applications) $(erased documents) $(erased messages) $(erased 'letters to them') $(erased events) $(erased decisions) $(erased 'waiting changes') $(erased 'letters naming them to the commission or office') $(erased "others' replies quoting them")"
check "the export has copies of the letters that named her" test -s "$WORK/export/$(jq -r '.mentions.letters[0]' "$J")"
check "and of the chair's reply" grep -q "chair-1@example.org" "$WORK/export/$(jq -r '.mentions.replies[0]' "$J")"

found=$(traces "$WORK/state" "$ANA" "Ana Sánchez" "Sánchez")
check "no byte of her address or name is left (found in: ${found:-nothing})" test -z "$found"
check "while Lena's data is still there (the search works)" test -n "$(traces "$WORK/state" "$LENA" "Müller")"
kill -TERM "$pid"
wait "$pid" || true
check "the daemon's log never named her" bash -c "! grep -q '$ANA' '$WORK/daemon.log'"
finish
