#!/usr/bin/env bash
# A digest the server refuses for its size is not silent: with commission.max_message_bytes
# raised past what Postfix takes (10 MB), a batch of 40 applications with ~300 KB CVs is refused
# with 552; admitctl status shows it under "Needs attention" (never "Last error none"), the
# STATUS line says so, and programme.office_address is told in the same cycle. After the limit
# is back, `admitctl batch resend 1` sends the digest again in parts, and all of them arrive.
. "$(dirname "$0")/lib.sh"

OFFICE=office-$CASE@example.org
PROGRAMME_EXTRA="office_address = \"$OFFICE\";" COMMISSION_EXTRA='max_message_bytes = 1073741824;' write_config
COMMISSION=commission-$CASE@example.org
N=40
inject_large_applications "$N"
check "one cycle files all $N" admitd --once
admitctl batch close >/dev/null

sock="$WORK/notify.sock"
"$NOTIFY_LISTEN" "$sock" >"$WORK/notify.log" &
listener=$!
trap 'kill $listener $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$sock" "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" 2>"$WORK/daemon.log" &
pid=$!
for _ in $(seq 1 300); do grep -q "^READY=1" "$WORK/notify.log" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid" || true
check "the digest was refused for its size" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT state || ' ' || (last_error LIKE '%(552)%') FROM outbox WHERE template = 'digest'")" "failed 1"
check "the STATUS line says it needs attention" grep -q "^STATUS=.*NEEDS ATTENTION" "$WORK/notify.log"
admitctl status >"$WORK/status"
check "admitctl status lists it under Needs attention" \
  bash -c "grep -A1 '^Needs attention' '$WORK/status' | grep -q 'digest to $COMMISSION failed: .*(552)'"
check "and tells how to send it again" grep -q "admitctl batch resend" "$WORK/status"
check "Last error is not none" bash -c "! grep -q '^Last error *none$' '$WORK/status'"
wait_mail "$OFFICE" 1
report=$(mail_files "$OFFICE" | sed -n 1p)
check "the office is told in the same cycle" grep -q "$COMMISSION" "$report"

PROGRAMME_EXTRA="office_address = \"$OFFICE\";" write_config # the default limit again
check "batch resend queues the digest again" \
  bash -c "'$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' batch resend 1 | grep -q 'the digest of $N undecided applications is queued again'"
check "the next cycle sends it" admitd --once
settle
parts=$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE template = 'digest' AND state = 'sent'")
check "in parts, all sent ($parts)" test "$parts" -ge 2
wait_mail "$COMMISSION" "$parts"
check "all of them arrived" equals "$(mail_count "$COMMISSION")" "$parts"
# A reply to part 2 of the new round decides what it lists, and not what part 1 lists.
# (An if, not &&: the loop's status must not depend on whether the last file matched.)
part_file() {
  local f
  for f in $(mail_files "$COMMISSION"); do
    if header "$f" Subject | grep -q "(part $1 of"; then echo "$f"; break; fi
  done
}
first_ref() { /usr/bin/python3 -c 'import email, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
t = next(p for p in m.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
print(re.findall(r"AI4G-\d{4}-\d{4}", t)[0])' "$1"; }
part2=$(part_file 2)
part2_id=$(header "$part2" Message-Id)
check "the new round has its own Message-IDs ($part2_id)" grep -q '^<digest\.[0-9a-f]*\.r1\.2@' <<<"$part2_id"
ref=$(first_ref "$part2") other=$(first_ref "$(part_file 1)")
printf 'From: Chair <%s>\r\nTo: %s\r\nSubject: Re: part 2\r\nMessage-ID: <reply-r1-%s@example.org>\r\nIn-Reply-To: %s\r\nDate: %s\r\n\r\nACCEPT %s\r\nACCEPT %s\r\n' \
  "chair-$CASE@example.org" "$ADMISSIONS" "$CASE" "$part2_id" "$(date -R)" "$ref" "$other" >"$WORK/reply.eml"
send_file "chair-$CASE@example.org" "$WORK/reply.eml"
wait_mail "$ADMISSIONS" 1
check "the reply to it is applied" admitd --once
check "and decides $ref of that part" \
  equals "$(admitctl list --json | jq -r --arg r "$ref" '.[] | select(.ref == $r) | .state')" accepted
check "and not $other of part 1" \
  equals "$(admitctl list --json | jq -r --arg r "$other" '.[] | select(.ref == $r) | .state')" in_review
admitctl status >"$WORK/status"
check "nothing needs attention any more" bash -c "! grep -q '^Needs attention' '$WORK/status'"
out=$(admitctl_raw batch resend 9 2>&1) && rc=0 || rc=$?
check "batch resend of a batch that does not exist fails, saying so ($rc: $out)" \
  bash -c "[ $rc -ne 0 ] && grep -q 'batch 9 does not exist' <<<'$out'"
finish
