#!/usr/bin/env bash
# With commission.require_auth = "dkim", a member's reply with the digest token still counts
# only when our server's Authentication-Results says dkim=pass.
. "$(dirname "$0")/lib.sh"

COMMISSION_EXTRA='require_auth = "dkim"; authserv_id = "mx.admitd.test";' write_config
COMMISSION=commission-$CASE@example.org
CHAIR=chair-$CASE@example.org
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
admitd --once
admitctl batch close >/dev/null
admitd --once
wait_mail "$COMMISSION" 1
DIGEST=$(mail_files "$COMMISSION" | sed -n 1p)
DIGEST_ID=$(header "$DIGEST" Message-Id)
SUBJECT=$(header "$DIGEST" Subject)
REF=$(admitctl list --json | jq -r '.[0].ref')

reply() { # NAME AUTH-RESULTS-HEADER
  printf 'Authentication-Results: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%s@example.org>\r\nIn-Reply-To: %s\r\n\r\nACCEPT %s\r\n' \
    "$2" "$CHAIR" "$ADMISSIONS" "$SUBJECT" "$1" "$DIGEST_ID" "$REF" >"$WORK/$1.eml"
  send_file "$CHAIR" "$WORK/$1.eml"
}
reply unsigned "mx.admitd.test; dkim=none"
reply foreign "mx.elsewhere.example; dkim=pass header.d=example.org"
wait_mail "$ADMISSIONS" 2
check "replies without our dkim=pass are filed" admitd --once
check "and change nothing" equals "$(admitctl show "$REF" --json | jq -r .state)" in_review
wait_mail "$COMMISSION" 3
check "the commission is warned about both" \
  equals "$(grep -l 'could not be verified' $(mail_files "$COMMISSION") | wc -l)" 2

reply signed "mx.admitd.test; dkim=pass header.d=example.org"
wait_mail "$ADMISSIONS" 1
check "a reply with our dkim=pass is filed" admitd --once
check "and decides" equals "$(admitctl show "$REF" --json | jq -r .state)" accepted
finish
