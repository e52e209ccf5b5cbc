#!/usr/bin/env bash
# OAuth2 with the client credentials grant (Microsoft 365's app-only access to one mailbox):
# admitd logs in to Dovecot (IMAP, OAUTHBEARER) and to Postfix (SMTP AUTH through Dovecot SASL,
# on the port that offers only XOAUTH2, as Microsoft 365 does) with tokens from the stack's
# identity provider, never with a password; it asks for a new token when one expires between
# cycles and when the server refuses one it still held; no token reaches a log line (the
# journal's fields are cut from the same lines), --trace-imap or admitctl.
. "$(dirname "$0")/lib.sh"

CLIENT="admitd-$CASE"
printf 'secret-%s\n' "$CASE" >"$WORK/oauth2.secret"
idp_client "$CLIENT" "secret-$CASE" 3600
oauth2_settings "$CLIENT" client_credentials "$WORK/oauth2.secret"
SMTP_URL="smtp://localhost:${MAILSTACK_XOAUTH2_PORT:-10589}"
write_config
# No password login is possible for the admissions mailbox: only a token gets in.
rm -f "$STACK_DIR/users/$ADMISSIONS"
ANA=$(applicant ana.sanchez@example.net)
LENA=$(applicant lena.mueller@example.org)  # german-application.eml

admitd --check-config >"$WORK/check.out"
check "--check-config names the grant and the scope" contains "$WORK/check.out" \
  'oauth2: provider generic, grant client_credentials, scope "mail offline_access"'

send_fixture complete-application.eml
admitd --once --trace-imap 2>"$WORK/once.log"
settle
check "an application is filed through OAuth2" equals "$(admitctl list --json | jq length)" 1
wait_mail "$ANA" 1
check "and acknowledged over SMTP with OAuth2" equals "$(mail_count "$ANA")" 1
check "IMAP logged in with OAUTHBEARER" test "$(oauth_logins OAUTHBEARER)" -ge 1
check "SMTP with XOAUTH2 (all that port offers)" \
  grep -q "sasl_method=XOAUTH2, sasl_username=$ADMISSIONS" "$STACK_DIR/postfix.log"
check "one token served both" equals "$(grep -c 'oauth2 token grant=client_credentials' "$WORK/once.log")" 1
check "--trace-imap shows the AUTHENTICATE command, not its argument" \
  grep -qx "imap> A00[0-9] AUTHENTICATE" "$WORK/once.log"

# A token the provider revoked while admitd still held it: the server refuses, admitd asks
# for a new one at once, and the cycle goes on. Dovecot is restarted so that a new login is
# needed (a logged-in connection stays logged in), between two cycles: a restart in the middle
# of one would be another test (test-imap-outage).
last_poll() { admitctl_raw status | sed -n 's/^Last poll  *//p'; }
next_poll() { # waits until a cycle has polled since the last one seen (poll_seconds = 5)
  local before
  before=$(last_poll)
  for _ in $(seq 1 100); do [ "$(last_poll)" != "$before" ] && return 0; sleep 0.2; done
  echo "no cycle polled within 20 s" >&2
}
"$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" 2>"$WORK/daemon.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
next_poll
refused_before=$(oauth_refusals)
idp -X POST "$IDP_URL/admin/expire" >/dev/null
"$TESTS_DIR/mailstack.sh" stop-imap "$STACK_DIR"
trap '"$TESTS_DIR/mailstack.sh" start-imap "$STACK_DIR" 2>/dev/null || true; kill $pid 2>/dev/null || true' EXIT
"$TESTS_DIR/mailstack.sh" start-imap "$STACK_DIR"
trap 'kill $pid 2>/dev/null || true' EXIT
send_fixture german-application.eml
for _ in $(seq 1 60); do [ "$(mail_count "$LENA")" -ge 1 ] && break; sleep 0.5; done
check "after a refused token the next application is still filed and answered" \
  equals "$(mail_count "$LENA")" 1
check "admitd saw the refusal" contains "$WORK/daemon.log" "oauth2 token refused at login"
check "and asked for a new token" test "$(grep -c 'oauth2 token grant' "$WORK/daemon.log")" -ge 2
check "the server did refuse the old token" test "$(oauth_refusals)" -gt "$refused_before"
check "no cycle failed for it" equals "$(grep -c 'error: inbox' "$WORK/daemon.log")" 0

# Tokens that expire between two cycles (8 s, the daemon polls every 5 s): once admitd holds
# one, a new one is asked for before the old one runs out, so the server never refuses them.
idp_client "$CLIENT" "secret-$CASE" 8
next_poll
idp -X POST "$IDP_URL/admin/expire" >/dev/null
"$TESTS_DIR/mailstack.sh" stop-imap "$STACK_DIR"
"$TESTS_DIR/mailstack.sh" start-imap "$STACK_DIR"
for _ in $(seq 1 60); do grep -q "expires_in=8" "$WORK/daemon.log" && break; sleep 0.5; done
next_poll # the refusal of the revoked token, counted once its cycle is over
grants_before=$(grep -c 'oauth2 token grant' "$WORK/daemon.log")
refused_before=$(oauth_refusals)
sleep 20
check "short-lived tokens are renewed cycle after cycle" \
  test "$(grep -c 'oauth2 token grant' "$WORK/daemon.log")" -ge $((grants_before + 2))
check "before the server refuses them" equals "$(oauth_refusals)" "$refused_before"
check "the daemon is fine" contains <(admitctl status) "^Last error  *none"
admitctl oauth status >"$WORK/oauth-status.out"
check "oauth status says the access token is held and until when" \
  grep -q "^Access token    held by admitd until 20" "$WORK/oauth-status.out"
admitctl status >"$WORK/status.out"
kill -TERM "$pid"
wait "$pid" || true

check "no token in the daemon's log" no_token_in "$WORK/once.log" "$WORK/daemon.log"
check "nor in admitctl's output" no_token_in "$WORK/oauth-status.out" "$WORK/status.out" "$WORK/check.out"
check "nor in the store's state" no_token_in <(sqlite3 "$WORK/state/admitd.db" "SELECT * FROM daemon_state")
finish
