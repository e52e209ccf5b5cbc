#!/usr/bin/env bash
# A whole fortnight by email: applications arrive, the batch closes when the clock crosses the
# window, the digest reaches the commission, a member replies, the letters reach the
# applicants; forged decisions change nothing and raise a warning; a reserve applicant is
# promoted later; a repeated decision email changes nothing; undecided batches get a reminder.
# Through it all, the daemon's log (whose lines are also its journal fields) names
# applications, never an applicant's address or name.
. "$(dirname "$0")/lib.sh"
admitd() { "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" "$@" 2>>"$WORK/cycles.log"; }

write_config
ANA=$(applicant ana.sanchez@example.net)
JOSE=$(applicant jose.garcia@example.com)
LENA=$(applicant lena.mueller@example.org)
MARCO=$(applicant marco.rossi@example.net)
CHAIR=chair-$CASE@example.org
COMMISSION=commission-$CASE@example.org
for f in complete-application rfc2231-spanish-filename german-application letter-only; do
  send_fixture $f.eml
done
wait_mail "$ADMISSIONS" 4
check "applications are filed" admitd --once
ref_of() { admitctl list --json | jq -r --arg e "$1" '.[] | select(.email == $e) | .ref'; }
state_of() { admitctl show "$1" --json | jq -r .state; }
ANA_REF=$(ref_of "$ANA"); JOSE_REF=$(ref_of "$JOSE"); LENA_REF=$(ref_of "$LENA")
check "three are pending" equals "$(admitctl list --state pending --json | jq length)" 3

check "nothing closes inside the window" admitd --once --now "$(in_days 13)"
check "no digest yet" equals "$(mail_count "$COMMISSION")" 0
check "the batch closes once the window has ended" admitd --once --now "$(in_days 15)"
check "its applications are in review" equals "$(admitctl list --state in_review --json | jq length)" 3
check "the incomplete one is not" equals "$(state_of "$(ref_of "$MARCO")")" incomplete
wait_mail "$COMMISSION" 1
DIGEST=$(mail_files "$COMMISSION" | sed -n 1p)
TOKEN=$(header "$DIGEST" Subject | sed -n 's/.*\[\([0-9a-f]\{24\}\)\]$/\1/p')
check "the digest subject carries a 24-digit token" equals "${#TOKEN}" 24
check "the digest Message-ID carries it too" equals "$(header "$DIGEST" Message-Id | cut -d@ -f1)" "<digest.$TOKEN"
DOSSIER=$(grep -o 'batch-[0-9]*-dossier\.pdf' "$DIGEST" | sed -n 1p)
check "the digest attaches the batch's dossier" test -n "$DOSSIER"
attachment "$DIGEST" "$DOSSIER" >"$WORK/dossier.pdf" && pdftotext -q "$WORK/dossier.pdf" "$WORK/dossier.txt"
for ref in "$ANA_REF" "$JOSE_REF" "$LENA_REF"; do
  check "the digest lists $ref" contains "$DIGEST" "^  $ref "
  # The cover lists it, and each page of its letter (1) and CV (2) carries it.
  check "the dossier holds $ref's three pages" equals "$(grep -c -- "$ref" "$WORK/dossier.txt")" 4
done
check "the documents' own text is in it" contains "$WORK/dossier.txt" "academic commission"
check "the batch is closed" equals "$(admitctl batch list | awk 'NR==2 {print $4}')" closed
check "a later cycle sends no second digest" admitd --once --now "$(in_days 16)"
settle
check "still one digest" equals "$(mail_count "$COMMISSION")" 1

DIGEST_ID=$(header "$DIGEST" Message-Id)
reply() { # FILE FROM MESSAGE-ID SUBJECT IN-REPLY-TO BODY
  printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%sDate: %s\r\n\r\n%b' \
    "$2" "$ADMISSIONS" "$4" "$3" "${5:+In-Reply-To: $5\r\nReferences: $5\r\n}" \
    "$(date -R)" "$6" >"$WORK/$1"
}
reply decision1.eml "Chair <$CHAIR>" "decision1@example.org" "Re: batch [$TOKEN]" "$DIGEST_ID" \
  "Dear all,\r\n\r\nACCEPT $ANA_REF\r\nreserve $JOSE_REF\r\nDiscard: $LENA_REF\r\n\r\n-- \r\nThe chair\r\n\r\n> ACCEPT $JOSE_REF\r\n"
send_file "$CHAIR" "$WORK/decision1.eml"
wait_mail "$ADMISSIONS" 1
check "the decisions are applied" admitd --once --now "$(in_days 16)"
check "accepted" equals "$(state_of "$ANA_REF")" accepted
check "reserve" equals "$(state_of "$JOSE_REF")" reserve
check "discarded" equals "$(state_of "$LENA_REF")" discarded
wait_mail "$ANA" 2
wait_mail "$JOSE" 2
wait_mail "$LENA" 2
letter() { # ADDRESS SUBJECT-PATTERN: the first message whose subject matches
  local f
  for f in $(mail_files "$1"); do
    if header "$f" Subject | grep -q -- "$2"; then echo "$f"; return 0; fi
  done
}
ACCEPTED=$(letter "$ANA" "admitted")
check "the accepted letter reached the applicant" test -n "$ACCEPTED"
check "it carries the registration link" contains "$ACCEPTED" "https://registration.example.org/ai4gov"
check "and the reference" contains "$ACCEPTED" "$ANA_REF"
check "it threads to the application" contains "$ACCEPTED" "^In-Reply-To: <app-ana-1@example.net>"
RESERVE=$(letter "$JOSE" "reserve list")
check "the reserve letter reached the applicant" test -n "$RESERVE"
check "the reserve letter has no registration link" bash -c "! grep -q registration.example.org '$RESERVE'"
DISCARDED=$(letter "$LENA" "^Master in AI4Gov: your application $LENA_REF\$")
check "the discarded letter reached the applicant" test -n "$DISCARDED"
check "the discarded letter has no registration link" bash -c "! grep -q registration.example.org '$DISCARDED'"
wait_mail "$CHAIR" 1
TRANSCRIPT=$(mail_files "$CHAIR" | sed -n 1p)
check "the chair gets a transcript" contains "$TRANSCRIPT" "done: $ANA_REF is now accepted"
check "the transcript lists ignored lines" contains "$TRANSCRIPT" "ignored: Dear all,"

# Forgeries: a member without the token, the token from a non-member.
reply forged1.eml "Chair <$CHAIR>" "forged1@example.org" "decisions" "" "ACCEPT $JOSE_REF\r\n"
send_file "$CHAIR" "$WORK/forged1.eml"
reply forged2.eml "Mallory <mallory-$CASE@example.com>" "forged2@example.com" "Re: batch [$TOKEN]" \
  "$DIGEST_ID" "ACCEPT $JOSE_REF\r\n"
send_file "mallory-$CASE@example.com" "$WORK/forged2.eml"
wait_mail "$ADMISSIONS" 2
check "forged decisions are filed" admitd --once --now "$(in_days 16)"
check "a forged decision changes nothing" equals "$(state_of "$JOSE_REF")" reserve
wait_mail "$COMMISSION" 3
check "the commission is warned twice" \
  equals "$(for f in $(mail_files "$COMMISSION"); do header "$f" Subject; done | grep -c '^Warning: a decision email was refused')" 2
check "one warning names the missing token" bash -c "grep -l 'not a reply to a digest' $(mail_files "$COMMISSION" | tr '\n' ' ') >/dev/null"
check "one warning names the non-member" bash -c "grep -l 'mallory-$CASE@example.com is not a member' $(mail_files "$COMMISSION" | tr '\n' ' ') >/dev/null"
check "the audit trail records the refusals" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM events WHERE kind = 'decision-refused'")" 2
check "no letter went to the reserve applicant" equals "$(mail_count "$JOSE")" 2

# The same decision email delivered twice changes nothing and sends nothing.
send_file "$CHAIR" "$WORK/decision1.eml"
wait_mail "$ADMISSIONS" 1
check "the repeated email is filed" admitd --once --now "$(in_days 16)"
settle
check "no second accepted letter" equals "$(mail_count "$ANA")" 2
check "no second transcript" equals "$(mail_count "$CHAIR")" 2

# The reserve list moves: the applicant is accepted later.
reply decision2.eml "Chair <$CHAIR>" "decision2@example.org" "Re: batch [$TOKEN]" "$DIGEST_ID" \
  "ACCEPT $JOSE_REF\r\nACCEPT $LENA_REF\r\nACCEPT AI4G-1999-9999\r\n"
send_file "$CHAIR" "$WORK/decision2.eml"
wait_mail "$ADMISSIONS" 1
check "a later decision is filed" admitd --once --now "$(in_days 20)"
check "the reserve applicant is promoted" equals "$(state_of "$JOSE_REF")" accepted
wait_mail "$JOSE" 3
check "and receives the accepted letter" test -n "$(letter "$JOSE" "admitted")"
check "a final decision is not changed by email" equals "$(state_of "$LENA_REF")" discarded
wait_mail "$CHAIR" 3
T2=$(grep -l "decision2@example.org" $(mail_files "$CHAIR") | sed -n 1p || true)
check "the transcript says the final decision was kept" contains "$T2" "not changed: $LENA_REF was already discarded"
check "the transcript names the unknown reference" contains "$T2" "unknown reference AI4G-1999-9999"

admitctl_raw decide "$LENA_REF" accept >"$WORK/decide.out" 2>&1 && rc=0 || rc=$?
check "admitctl decide refuses to change a final decision" equals "$rc" 65
admitctl decide "$LENA_REF" accept --force >"$WORK/decide.out" 2>&1
check "with --force it changes it" equals "$(state_of "$LENA_REF")" accepted
check "and says which letters were already sent" contains "$WORK/decide.out" "already sent to $LENA: discarded"
check "the history shows every step" \
  equals "$(admitctl history "$ANA_REF" | awk '{print $2}' | tr '\n' ' ')" "received pending in_review accepted "
check "preview shows a letter with the registration link" \
  contains <(admitctl preview accepted "$ANA_REF") "registration.example.org/ai4gov"

# An accepted applicant declines the place: the office withdraws the application.
admitctl withdraw "$JOSE_REF" >"$WORK/withdraw.out"
check "admitctl withdraw says what changed" contains "$WORK/withdraw.out" "$JOSE_REF: accepted -> withdrawn"
check "the application is withdrawn" equals "$(state_of "$JOSE_REF")" withdrawn
check "the history says who withdrew it" contains <(admitctl history "$JOSE_REF") "withdrawn  by admitctl:"
check "the letter goes on the next cycle" admitd --once --now "$(in_days 20)"
wait_mail "$JOSE" 4
check "the applicant is told" test -n "$(letter "$JOSE" "is withdrawn")"
admitctl withdraw "$JOSE_REF" >"$WORK/withdraw.out"
check "withdrawing again changes nothing" contains "$WORK/withdraw.out" "already withdrawn"
admitctl_raw withdraw AI4G-1999-9999 >/dev/null 2>&1 && rc=0 || rc=$?
check "an unknown reference is refused" equals "$rc" 65

# The incomplete application completes (by the Received time, inside the first window, which
# has ended by the injected clock): its new batch closes at once; nobody decides; one reminder.
send_fixture cv-followup.eml
wait_mail "$ADMISSIONS" 1
check "the completed application is filed" admitd --once --now "$(in_days 20)"
MARCO_REF=$(ref_of "$MARCO")
check "it goes to review in a second batch" equals "$(state_of "$MARCO_REF")" in_review
check "two batches, both closed" equals "$(admitctl batch list | awk 'NR > 1 {print $1 $4}' | tr '\n' ' ')" "1closed 2closed "
wait_mail "$COMMISSION" 4
check "no reminder before reminder_days" admitd --once --now "$(in_days 26)"
settle
reminders() { for f in $(mail_files "$COMMISSION"); do header "$f" Subject; done | grep -c '^Reminder' || true; }
check "no reminder yet" equals "$(reminders)" 0
check "the reminder goes out after reminder_days" admitd --once --now "$(in_days 28)"
check "and only once" admitd --once --now "$(in_days 40)"
settle
check "exactly one reminder" equals "$(reminders)" 1
check "it lists the undecided application" contains "$(letter "$COMMISSION" '^Reminder')" "$MARCO_REF"
check "the fortnight's log has lines" test "$(wc -l <"$WORK/cycles.log")" -gt 20
check "and none names an applicant" \
  bash -c "! grep -n -E '$ANA|$JOSE|$LENA|$MARCO|Sánchez|García|Müller|Rossi|ana\.sanchez|jose\.garcia' '$WORK/cycles.log'"
check "while the commission's letters are there" grep -q "to=$COMMISSION" "$WORK/cycles.log"
finish
