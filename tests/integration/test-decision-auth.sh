#!/usr/bin/env bash
# With commission.require_auth = "dkim", a member's reply with the digest token still counts
# only when our own server's Authentication-Results says dkim=pass. The test stack's milter
# (tests/auth-milter.py) removes every header claiming our authserv-id and adds its verdict, as
# production must: so a header the sender forged never reaches admitd.
. "$(dirname "$0")/lib.sh"

COMMISSION_EXTRA='require_auth = "dkim"; authserv_id = "mx.admitd.test";' write_config
COMMISSION=commission-$CASE@example.org
CHAIR=chair-$CASE@example.org
one_application_in_review

reply() { # NAME AUTH-RESULTS-HEADER-THE-SENDER-WRITES
  printf 'Authentication-Results: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%s@example.org>\r\nIn-Reply-To: %s\r\n\r\nACCEPT %s\r\n' \
    "$2" "$CHAIR" "$ADMISSIONS" "$SUBJECT" "$1" "$DIGEST_ID" "$REF" >"$WORK/$1.eml"
}
# Both arrive as from the internet (no AUTH): our server's verdict is dkim=none.
reply forged "mx.admitd.test; dkim=pass header.d=example.org"
send_mx "$CHAIR" "$WORK/forged.eml"
reply foreign "mx.elsewhere.example; dkim=pass header.d=example.org"
send_mx "$CHAIR" "$WORK/foreign.eml"
wait_mail "$ADMISSIONS" 2
settle
spooled() { sqlite3 "$WORK/state/admitd.db" "SELECT spool_path FROM messages WHERE message_id = '$1@example.org'"; }
admitd --once
check "the forged header of our authserv-id was removed by our server" \
  bash -c "! grep -q 'mx.admitd.test; dkim=pass' '$(spooled forged)'"
check "our server's own verdict is there instead" contains "$(spooled forged)" "^Authentication-Results: mx.admitd.test; dkim=none"
check "another server's header is left as it came" contains "$(spooled foreign)" "mx.elsewhere.example; dkim=pass"
check "neither changes anything" equals "$(admitctl show "$REF" --json | jq -r .state)" in_review
wait_mail "$COMMISSION" 3
check "the commission is warned about both" \
  equals "$(grep -l 'could not be verified' $(mail_files "$COMMISSION") | wc -l)" 2

# Signed, but not by the From domain: an outsider logged in at their own provider (example.com)
# writes the chair's address in From. Our server says dkim=pass header.d=example.com, which
# proves nothing about example.org.
MALLORY=mallory-$CASE@example.com
reply misaligned "mx.elsewhere.example; none"
send_file "$MALLORY" "$WORK/misaligned.eml"
wait_mail "$ADMISSIONS" 1
admitd --once
check "our server signed it for the other domain" contains "$(spooled misaligned)" "^Authentication-Results: mx.admitd.test;.* dkim=pass header.d=example.com"
check "a signature of another domain changes nothing" equals "$(admitctl show "$REF" --json | jq -r .state)" in_review
wait_mail "$COMMISSION" 4
check "and the commission is warned" \
  equals "$(grep -l 'could not be verified' $(mail_files "$COMMISSION") | wc -l)" 3

# Submitted with the chair's own login: signed, as the chair's provider would.
reply signed "mx.admitd.test; dkim=fail"
send_file "$CHAIR" "$WORK/signed.eml"
wait_mail "$ADMISSIONS" 1
check "a reply with our server's dkim=pass is filed" admitd --once
check "and decides" equals "$(admitctl show "$REF" --json | jq -r .state)" accepted
finish
