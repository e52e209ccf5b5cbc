#!/usr/bin/env bash
# With commission.require_auth = "dmarc", a reply counts only when our server's
# Authentication-Results says dmarc=pass for the From domain: a mail signed by another domain
# (an outsider logged in at their own provider, writing the chair's address in From) is
# refused and the commission warned; the chair's own reply decides.
. "$(dirname "$0")/lib.sh"

COMMISSION_EXTRA='require_auth = "dmarc"; authserv_id = "mx.admitd.test";' write_config
COMMISSION=commission-$CASE@example.org
CHAIR=chair-$CASE@example.org
MALLORY=mallory-$CASE@example.com
one_application_in_review
reply() { # NAME
  printf 'From: Chair <%s>\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%s@example.org>\r\nIn-Reply-To: %s\r\n\r\nACCEPT %s\r\n' \
    "$CHAIR" "$ADMISSIONS" "$SUBJECT" "$1" "$DIGEST_ID" "$REF" >"$WORK/$1.eml"
}

reply spoofed
send_file "$MALLORY" "$WORK/spoofed.eml" # signed by example.com, From example.org
wait_mail "$ADMISSIONS" 1
check "the spoofed reply is filed" admitd --once
verdict=$(sqlite3 "$WORK/state/admitd.db" "SELECT spool_path FROM messages WHERE message_id = 'spoofed@example.org'")
check "our server said dmarc=fail for it" contains "$verdict" "dmarc=fail header.from=example.org"
check "it changes nothing" equals "$(admitctl show "$REF" --json | jq -r .state)" in_review
wait_mail "$COMMISSION" 2
check "the commission is warned" \
  equals "$(grep -l 'could not be verified' $(mail_files "$COMMISSION") | wc -l)" 1

reply genuine
send_file "$CHAIR" "$WORK/genuine.eml"
wait_mail "$ADMISSIONS" 1
check "the chair's own reply is filed" admitd --once
check "and decides" equals "$(admitctl show "$REF" --json | jq -r .state)" accepted
finish
