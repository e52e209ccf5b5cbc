#!/usr/bin/env bash
# A deadline-sized batch through a server with Postfix's default 10 MB limit: 80 applications
# with ~300 KB CVs (tests/batch/make-large-applications.py) make a digest of several parts,
# each under commission.max_message_bytes as it travels; all arrive, every application is
# listed in exactly one part with both its documents, and a reply to part 2 decides what part 2
# listed and nothing of part 1.
. "$(dirname "$0")/lib.sh"

write_config
COMMISSION=commission-$CASE@example.org
CHAIR=chair-$CASE@example.org
N=80
inject_large_applications "$N"
check "one cycle files all $N" admitd --once
check "all $N complete" equals "$(admitctl list --json | jq '[.[] | select(.state == "pending")] | length')" "$N"
admitctl batch close >/dev/null
check "the digest goes out" admitd --once
settle
parts=$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE template = 'digest'")
check "in several parts ($parts)" test "$parts" -ge 3
check "all of them sent: none refused for its size" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT group_concat(DISTINCT state) FROM outbox WHERE template = 'digest'")" sent
wait_mail "$COMMISSION" "$parts"
check "all of them arrived" equals "$(mail_count "$COMMISSION")" "$parts"
largest=$(mail_files "$COMMISSION" | xargs stat -c %s | sort -n | tail -1)
check "each under Postfix's 10 MB as delivered (largest $largest bytes)" test "$largest" -lt 10240000

# Each part's number, the references its table lists and the documents it carries.
: >"$WORK/listed" && : >"$WORK/attached"
for f in $(mail_files "$COMMISSION"); do
  k=$(header "$f" Subject | sed -n "s/.*(part \([0-9]*\) of $parts).*/\1/p")
  echo "${k:-none} $(header "$f" Message-Id)" >>"$WORK/parts"
  /usr/bin/python3 - "$f" "${k:-none}" >>"$WORK/listed" 2>>"$WORK/attached" <<'PY'
import email, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_filename():
        print(p.get_filename(), len(p.get_payload(decode=True)), file=sys.stderr)
    elif p.get_content_type() == "text/plain":
        for ref in sorted(set(re.findall(r"AI4G-\d{4}-\d{4}", p.get_payload(decode=True).decode()))):
            print(sys.argv[2], ref)
PY
done
check "every part says which of $parts it is" \
  equals "$(cut -d' ' -f1 "$WORK/parts" | sort -n | tr '\n' ' ')" "$(seq 1 "$parts" | tr '\n' ' ')"
check "every application is listed, in exactly one part" \
  equals "$(cut -d' ' -f2 "$WORK/listed" | sort | uniq -c | awk '$1 == 1' | wc -l)" "$N"
check "and nothing else is" equals "$(wc -l <"$WORK/listed")" "$N"
check "each part carries one attachment, its dossier" \
  equals "$(grep -cE '^batch-[0-9]+-part-[0-9]+-dossier\.pdf [0-9]+$' "$WORK/attached")/$(wc -l <"$WORK/attached")" "$parts/$parts"
# Each dossier's bookmarks: one per application its part lists, a letter and a CV under each,
# and the pages of them all after the cover.
: >"$WORK/bookmarked"
for f in $(mail_files "$COMMISSION"); do
  k=$(header "$f" Subject | sed -n "s/.*(part \([0-9]*\) of $parts).*/\1/p")
  attachment "$f" "$(grep -o 'batch-[0-9]*-part-[0-9]*-dossier\.pdf' "$f" | sed -n 1p)" >"$WORK/part$k.pdf"
  /usr/bin/python3 "$TESTS_DIR/integration/pdf-outline.py" "$WORK/part$k.pdf" >"$WORK/outline$k"
  sed -n "s/^\(AI4G-[0-9-]*\) .*/$k \1/p" "$WORK/outline$k" >>"$WORK/bookmarked"
  last=$(tail -1 "$WORK/outline$k" | sed -n 's/^  CV (\([0-9]*\) p.) -> \([0-9]*\)$/\2 + \1 - 1/p')
  echo "$k $(pdfinfo "$WORK/part$k.pdf" | awk '/^Pages:/ { print $2 }') $((last))" >>"$WORK/pagecounts"
done
check "every application has its bookmark in the dossier of the part that lists it" \
  cmp <(sort "$WORK/listed") <(sort "$WORK/bookmarked")
check "with its letter and CV under it" \
  equals "$(cat "$WORK"/outline* | grep -cE '^  (letter \(1 p\.\)|CV \([0-9]+ p\.\)) -> [0-9]+$')" $((2 * N))
check "each dossier ends with the last CV's last page" \
  equals "$(awk '$2 != $3' "$WORK/pagecounts")" ""

# The chair answers part 2, deciding one application of it and one of part 1.
part2_id=$(awk '$1 == 2 { print $2 }' "$WORK/parts")
of1=$(awk '$1 == 1 { print $2; exit }' "$WORK/listed")
of2=$(awk '$1 == 2 { print $2; exit }' "$WORK/listed")
printf 'From: Chair <%s>\r\nTo: %s\r\nSubject: Re: part 2\r\nMessage-ID: <reply-part2-%s@example.org>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nDate: %s\r\n\r\nACCEPT %s\r\nACCEPT %s\r\n' \
  "$CHAIR" "$ADMISSIONS" "$CASE" "$part2_id" "$part2_id" "$(date -R)" "$of2" "$of1" >"$WORK/reply.eml"
send_file "$CHAIR" "$WORK/reply.eml"
wait_mail "$ADMISSIONS" 1
check "the reply is applied" admitd --once
state_of() { admitctl list --json | jq -r --arg r "$1" '.[] | select(.ref == $r) | .state'; }
check "the application of part 2 is accepted" equals "$(state_of "$of2")" accepted
check "the one of part 1 is not" equals "$(state_of "$of1")" in_review
wait_mail "$CHAIR" 1
transcript=$(/usr/bin/python3 -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(next(p for p in m.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode())' \
  "$(mail_files "$CHAIR" | sed -n 1p)")
check "the transcript says why $of1 was not changed" \
  grep -q "$of1 is listed in another part" <<<"$transcript"

# A week on, the reminder follows the parts: one per part, threaded to it, listing its own.
check "the reminders go out" admitd --once --now "$(in_days 9)"
settle
check "one per part" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE template = 'reminder'")" "$parts"
threaded=0
for f in $(mail_files "$COMMISSION"); do
  k=$(header "$f" Subject | sed -n "s/^Reminder: .*(part \([0-9]*\) of $parts).*/\1/p")
  [ -n "$k" ] && [ "$(header "$f" In-Reply-To)" = "$(awk -v k="$k" '$1 == k { print $2 }' "$WORK/parts")" ] &&
    threaded=$((threaded + 1))
done
check "each threaded to its part's digest" equals "$threaded" "$parts"
finish
