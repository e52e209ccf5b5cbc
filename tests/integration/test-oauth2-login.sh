#!/usr/bin/env bash
# OAuth2 with a refresh token (Google; Microsoft delegated): `admitctl oauth login` runs the
# device grant (RFC 8628) with the test as the person who approves the code; admitd then
# logs in to IMAP and SMTP with tokens it gets from the stored refresh token, which the
# provider rotates on every use: the rotated one is written atomically (0600) and survives a
# restart. A revoked refresh token stops the work cleanly (the daemon runs on, says what to
# do in the log, admitctl status and the STATUS line, and tells the office once) and admitd
# resumes by itself after the next login. The code grant (Google's way: PKCE, the redirect
# pasted back) stores a token too. No token appears in any log or output.
. "$(dirname "$0")/lib.sh"

CLIENT="admitd-$CASE"
OFFICE=office-$CASE@example.org
idp_client "$CLIENT" "" 3600 # a public client: no secret, as Microsoft's delegated apps
oauth2_settings "$CLIENT" refresh_token
PROGRAMME_EXTRA="office_address = \"$OFFICE\";"
write_config
rm -f "$STACK_DIR/users/$ADMISSIONS" # no password login: only a token gets in
TOKEN_FILE="$WORK/state/oauth2-token.json"
ANA=$(applicant ana.sanchez@example.net)
LENA=$(applicant lena.mueller@example.org)
JOSE=$(applicant jose.garcia@example.com)
OUT="$WORK/outputs"
mkdir -p "$OUT"

# The person: signs in at the verification address with the code admitctl printed.
approve_device_code() { # OUTPUT_FILE
  local code="" uri="" i
  for i in $(seq 1 100); do
    uri=$(grep -o 'https://[^ ]*/device' "$1" | head -1 || true)
    code=$(sed -n 's/^    \([0-9A-F]\{4\}-[0-9A-F]\{4\}\)$/\1/p' "$1" | head -1)
    [ -n "$code" ] && [ -n "$uri" ] && break
    sleep 0.1
  done
  idp -d "user_code=$code" -d "username=$ADMISSIONS" --data-urlencode "password=$(cat "$STACK_DIR/password")" \
    "$uri" >/dev/null
}
device_login() { # OUTPUT_FILE
  admitctl_raw oauth login >"$1" 2>&1 &
  local login=$!
  approve_device_code "$1"
  wait "$login"
}

admitd --check-config >"$OUT/check"
check "--check-config says there is no refresh token yet" contains "$OUT/check" \
  "no refresh token yet in $TOKEN_FILE: run admitctl oauth login"
admitctl oauth status >"$OUT/status-before"
check "so does oauth status" contains "$OUT/status-before" "^Refresh token   none yet: run admitctl oauth login"

check "admitctl oauth login succeeds once the person approves the code" device_login "$OUT/login1"
check "it told the person where to go" contains "$OUT/login1" "open https://127.0.0.1:.*/device in any browser"
check "the refresh token is stored" test -s "$TOKEN_FILE"
check "readable by admitd's user only" equals "$(stat -c %a "$TOKEN_FILE")" 600
admitctl oauth status >"$OUT/status-after"
check "oauth status says which token is held and since when" \
  grep -q "^Refresh token   held since 20.* (device login), in $TOKEN_FILE" "$OUT/status-after"

first=$(jq -r .refresh_token "$TOKEN_FILE")
send_fixture complete-application.eml
admitd --once 2>"$OUT/once1.log"
settle
wait_mail "$ANA" 1
check "an application is filed and acknowledged with the refresh token's access token" \
  equals "$(admitctl list --json | jq length) $(mail_count "$ANA")" "1 1"
rotated=$(jq -r .refresh_token "$TOKEN_FILE")
check "the provider rotated the refresh token and admitd stored the new one" \
  test "$rotated" != "$first" -a -n "$rotated"
check "still 0600" equals "$(stat -c %a "$TOKEN_FILE")" 600
check "the log says it was rotated, not what it is" contains "$OUT/once1.log" "oauth2 refresh token rotated file="

send_fixture german-application.eml
admitd --once 2>"$OUT/once2.log" # a new process: only the rotated token works now
settle
wait_mail "$LENA" 1
check "the rotated refresh token survives a restart" equals "$(mail_count "$LENA")" 1

# Revoked: the daemon keeps running, does no work, and says what to do.
idp -X POST "$IDP_URL/admin/revoke" >/dev/null
sock="$WORK/notify.sock"
"$NOTIFY_LISTEN" "$sock" >"$OUT/notify.log" &
listener=$!
trap 'kill $listener $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$sock" "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" 2>"$OUT/daemon.log" &
pid=$!
send_fixture rfc2231-spanish-filename.eml
sleep 12 # two or three cycles
check "a revoked refresh token does not stop the daemon" kill -0 "$pid"
check "the log names the command that fixes it" \
  grep -q "error: oauth2: the identity provider refused the refresh token: run \`admitctl oauth login\`" "$OUT/daemon.log"
check "once, not every cycle" equals "$(grep -c 'error: oauth2: the identity provider refused' "$OUT/daemon.log")" 1
check "the STATUS line says it" grep -q "^STATUS=error: .*admitctl oauth login" "$OUT/notify.log"
admitctl status >"$OUT/status-revoked"
check "admitctl status shows it under Needs attention" \
  bash -c "grep -A1 '^Needs attention' '$OUT/status-revoked' | grep -q 'admitd cannot log in: .*admitctl oauth login'"
check "Last error is not none" bash -c "! grep -q '^Last error *none$' '$OUT/status-revoked'"
check "the office is told once (queued: the same token sends mail)" \
  equals "$(sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE template = 'oauth2-refused'")" 1
check "nothing is filed meanwhile" equals "$(admitctl list --json | jq length)" 2

check "after a new login" device_login "$OUT/login2"
for _ in $(seq 1 80); do [ "$(mail_count "$JOSE")" -ge 1 ] && [ "$(mail_count "$OFFICE")" -ge 1 ] && break; sleep 0.5; done
check "admitd resumes by itself: the waiting application is filed and answered" equals "$(mail_count "$JOSE")" 1
check "and the office gets its one letter" equals "$(mail_count "$OFFICE")" 1
office_mail=$(mail_files "$OFFICE" | sed -n 1p)
check "which says what to run" grep -q "admitctl oauth login" "$office_mail"
admitctl status >"$OUT/status-resumed"
check "status is clear again" bash -c "! grep -q 'cannot log in' '$OUT/status-resumed' && grep -q '^Last error  *none' '$OUT/status-resumed'"
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "and it stops cleanly" equals "$rc" 0

# The code grant: the person opens the address, signs in, and pastes where the browser went.
fifo="$WORK/paste"
mkfifo "$fifo"
admitctl_raw oauth login code <"$fifo" >"$OUT/login3" 2>&1 &
login=$!
exec 3>"$fifo"
for _ in $(seq 1 100); do grep -q "^    https://" "$OUT/login3" && break; sleep 0.1; done
url=$(sed -n 's/^    \(https:.*\)$/\1/p' "$OUT/login3" | head -1)
location=$(curl -sS -o /dev/null -w '%{redirect_url}' --cacert "$STACK_DIR/ca.pem" \
  "$url&username=$ADMISSIONS&password=$(cat "$STACK_DIR/password")")
echo "$location" >&3
exec 3>&-
wait "$login" && rc=0 || rc=$?
check "the code grant stores a token" equals "$rc" 0
check "from a redirect to the loopback address" test "${location#http://127.0.0.1:8400/?}" != "$location"
check "oauth status says it came from the code login" contains <(admitctl oauth status) "(code login)"
send_fixture complete-application.eml # Ana again: a duplicate, but a login is needed to see it
check "admitd works with it" admitd --once

check "no token in the logs or outputs" no_token_in "$OUT"/* "$WORK"/*.log
check "nor in the store's state" no_token_in <(sqlite3 "$WORK/state/admitd.db" "SELECT * FROM daemon_state")
finish
