#!/usr/bin/env bash
# Mail whose From cannot be used is quarantined with the reason (no From, two From headers, a
# group, only a name), visible to the office in admitctl status and admitctl quarantine and in
# one summary letter a day; a release of one that still cannot be filed changes nothing and
# says why.
. "$(dirname "$0")/lib.sh"

OFFICE=office-$CASE@example.org
PROGRAMME_EXTRA="office_address = \"$OFFICE\";" write_config
box=$(maildir "$ADMISSIONS")
mkdir -p "$box/new" "$box/tmp" "$box/cur"
put() { # NAME HEADERS
  printf 'Received: from test by mail.admitd.test; %s\r\n%bTo: %s\r\nSubject: Application\r\nMessage-ID: <%s@example.com>\r\n\r\nhello\r\n' \
    "$(date -R)" "$2" "$ADMISSIONS" "$1" >"$box/tmp/$1"
  mv "$box/tmp/$1" "$box/new/$(date +%s).$1.admitd-test"
}
put no-from ""
put two-from "From: a@example.com\r\nFrom: b@example.com\r\n"
put group-from "From: friends: a@example.com, b@example.com;\r\n"
put name-only "From: Admissions Office\r\n"
chown -R 65534:65534 "$box"
check "the cycle succeeds" admitd --once
# (A quarantined message was not read: its Message-ID is not in the ledger; its reason is.)
reasons() { sqlite3 "$WORK/state/admitd.db" "SELECT detail FROM messages WHERE outcome = 'quarantined'"; }
reason_of() { grep -x -- "$1" <(reasons) || true; }
check "no From: the reason says so" equals "$(reason_of "no From header")" "no From header"
check "two From headers" equals "$(reason_of "2 From headers (a message has one)")" "2 From headers (a message has one)"
check "a group" equals "$(reason_of "the From header is a group, not an address")" "the From header is a group, not an address"
check "only a name" equals "$(reason_of "the From header holds no address")" "the From header holds no address"
check "admitctl status counts them" contains <(admitctl status) "Quarantined     4 messages"
admitctl quarantine list >"$WORK/list"
check "admitctl quarantine lists them" equals "$(grep -c '^[0-9]' "$WORK/list")" 4
settle
wait_mail "$OFFICE" 1
summary=$(mail_files "$OFFICE" | sed -n 1p)
check "the office gets one summary" grep -q "4 messages set aside as quarantined" "$summary"
check "listing each with its reason" grep -q "2 From headers" "$summary"
check "and how to release one" grep -q "admitctl quarantine release ID" "$summary"
check "another cycle the same day" admitd --once
settle
check "sends no second summary" equals "$(mail_count "$OFFICE")" 1
id=$(sqlite3 "$WORK/state/admitd.db" "SELECT id FROM messages WHERE detail LIKE '2 From headers%'")
out=$(admitctl_raw quarantine release "$id" 2>&1) && rc=0 || rc=$?
check "a release that still cannot file it fails ($rc)" test "$rc" != 0
check "saying why" grep -q "still cannot be filed: 2 From headers" <<<"$out"
check "and it stays quarantined" equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT outcome FROM messages WHERE id = $id")" quarantined
finish
