#!/usr/bin/env bash
# The server renumbers the inbox (a new UIDVALIDITY, as after a restore from backup) and the
# filed messages reappear in it: nothing is filed twice and nobody is answered twice.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
check "first cycle exits 0" admitd --once
check "two applications" equals "$(admitctl list --json | jq length)" 2

# Put the processed messages back and make Dovecot forget its UIDs.
box=$(maildir "$ADMISSIONS")
cp -p "$box"/.Processed/cur/* "$box/new/"
rm -f "$box"/dovecot-uidlist "$box"/dovecot.index*
chown -R 65534:65534 "$box"
sleep 1.1 # a new UIDVALIDITY is taken from the clock

check "second cycle exits 0" admitd --once 2>"$WORK/stderr"
check "the change is logged" contains "$WORK/stderr" "uidvalidity changed"
check "still two applications" equals "$(admitctl list --json | jq length)" 2
check "still two replies in the outbox" equals "$(admitctl outbox --json | jq length)" 2
check "the inbox is empty again" equals "$(mail_count "$ADMISSIONS")" 0
settle
check "one acknowledgement only" equals "$(mail_count "$ANA")" 1
finish
