# Helpers for the integration tests: each test gets its own work folder, database, admissions
# mailbox and applicant addresses on the shared loopback mail stack (tests/mailstack.sh), so
# tests never see each other's mail.
#
# Environment (set by CTest): ADMITD_BIN, STACK_DIR, TESTS_DIR, TEMPLATES_DIR, WORK_ROOT.
set -eEuo pipefail
# A test that stops on a failing command says which one (set -e alone stops silently).
# (Not inside $(...): a failing pipeline there is a value, not the end of the test.)
trap '[ "$BASH_SUBSHELL" = 0 ] && echo "stopped: exit $? at ${BASH_SOURCE[0]}:${LINENO}: $BASH_COMMAND" >&2' ERR

for tool in sqlite3 jq curl; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/install-deps installs it)" >&2; exit 1; }
done

CASE=$(basename "$0" .sh)
CASE=${CASE#test-}
WORK="$WORK_ROOT/$CASE"
ADMISSIONS="admissions-$CASE@example.org"
SUBMISSION_PORT=${MAILSTACK_SUBMISSION_PORT:-10587}
IMAPS_PORT=${MAILSTACK_IMAPS_PORT:-10993}
TEMPFAIL_PORT=${MAILSTACK_TEMPFAIL_PORT:-10588}
FAILURES=0
CHECKS=0

rm -rf "$WORK"
mkdir -p "$WORK"

# The address a fixture's sender gets in this test: ana@example.net → ana-CASE@example.net.
applicant() { echo "${1%@*}-$CASE@${1#*@}"; }

# Variables a test may set before write_config: SMTP_URL, SMTP_USER, IMAP_URL, IMAP_USER, IMAP_CA (empty:
# the system's trust store), SMTP_CA (empty: the same for SMTP), IMAP_EXTRA and SMTP_EXTRA (more
# settings of those groups), TEMPLATES (a templates folder), COMMISSION_EXTRA (more settings of the group),
# EXTRA_CONFIG (more groups), PROGRAMME_EXTRA (more settings of programme), EDITION_OPENS/EDITION_CLOSES (days from today: -30, +180).
write_config() {
  local smtp_url=${SMTP_URL:-smtp://localhost:$SUBMISSION_PORT} opens closes
  local imap_ca=${IMAP_CA-$STACK_DIR/ca.pem} ca_line=""
  [ -n "$imap_ca" ] && ca_line="ca_file = \"$imap_ca\";"
  local smtp_ca=${SMTP_CA-$STACK_DIR/ca.pem} smtp_ca_line=""
  [ -n "$smtp_ca" ] && smtp_ca_line="ca_file = \"$smtp_ca\";"
  opens=$(date -u -d "${EDITION_OPENS:--30} days" +%F)
  closes=$(date -u -d "${EDITION_CLOSES:-+180} days" +%F)
  cat >"$WORK/admitd.conf" <<CONF
programme = { name = "Master in AI4Gov"; reference_prefix = "AI4G";
  registration_url = "https://registration.example.org/ai4gov";
  reply_from = "AI4Gov Admissions <$ADMISSIONS>"; ${PROGRAMME_EXTRA:-} };
editions = ( { name = "2026-2027"; opens = "$opens"; closes = "$closes"; } );
batches = { anchor = "$(date -u +%F)"; period_days = 14; };
commission = { address = "commission-$CASE@example.org"; members = [ "chair-$CASE@example.org" ];
  ${COMMISSION_EXTRA:-} };
imap = { url = "${IMAP_URL:-imaps://localhost:$IMAPS_PORT/INBOX}"; username = "${IMAP_USER:-$ADMISSIONS}";
  password_file = "$STACK_DIR/password"; processed_mailbox = "Processed"; poll_seconds = 5;
  $ca_line ${IMAP_EXTRA:-} };
smtp = { url = "$smtp_url"; username = "${SMTP_USER:-$ADMISSIONS}"; password_file = "$STACK_DIR/password";
  $smtp_ca_line ${SMTP_EXTRA:-} };
storage = { database = "$WORK/state/admitd.db"; spool = "$WORK/state/spool"; };
templates = { dir = "${TEMPLATES:-$TEMPLATES_DIR}"; };
${EXTRA_CONFIG:-}
CONF
  "$TESTS_DIR/mailstack.sh" account "$STACK_DIR" "$ADMISSIONS"
}

admitd() { "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" "$@"; }
# admitctl fails the test when it fails, even inside $(...), where its exit status would be
# lost: the failure is written down and finish() counts it. admitctl_raw is for a call that
# is meant to fail.
admitctl_raw() { "$ADMITD_BIN/admitctl" -c "$WORK/admitd.conf" "$@"; }
admitctl() {
  local rc=0
  admitctl_raw "$@" || rc=$?
  [ "$rc" = 0 ] || echo "admitctl $*: exit $rc" | tee -a "$WORK/helper-failures" >&2
  return "$rc"
}

# Sends a fixture from tests/mail through Postfix (STARTTLS, AUTH) to the admissions address,
# with this test's applicant address as sender.
send_fixture() {
  local fixture=$1 from
  from=$(sed -n 's/^From:.*<\([^>]*\)>.*/\1/p; s/^From: *\([^ <]*@[^ >]*\) *$/\1/p' \
    "$TESTS_DIR/mail/$fixture" | sed -n 1p)
  sed "s/$from/$(applicant "$from")/g" "$TESTS_DIR/mail/$fixture" >"$WORK/outgoing.eml"
  "$TESTS_DIR/mailstack.sh" send "$STACK_DIR" "$(applicant "$from")" "$ADMISSIONS" "$WORK/outgoing.eml"
}

# Sends a message file as is from FROM to the admissions address.
send_file() { # FROM FILE
  "$TESTS_DIR/mailstack.sh" send "$STACK_DIR" "$1" "$ADMISSIONS" "$2"
}

# Puts applications FIRST..LAST straight into the admissions Maildir, for the tests of admitd's
# own work at volume (much faster than SMTP): complete-application.eml, from
# NAME<i>-CASE@example.net with Message-ID NAME-<i>@example.net.
inject_applications() { # NAME FIRST LAST
  local box i
  box=$(maildir "$ADMISSIONS")
  mkdir -p "$box/new" "$box/cur" "$box/tmp"
  for i in $(seq "$2" "$3"); do
    sed -e "s/ana.sanchez@example.net/$1$i-$CASE@example.net/g" \
      -e "s/app-ana-1@example.net/$1-$i@example.net/" \
      -e "1i Received: from test by mail.admitd.test; $(date -R)" \
      "$TESTS_DIR/mail/complete-application.eml" >"$box/tmp/$1$i"
    mv "$box/tmp/$1$i" "$box/new/$(date +%s).$1$i.admitd-test"
  done
  chown -R 65534:65534 "$box" # Dovecot's user
}

# Puts N applications of deadline size (tests/batch/make-large-applications.py: ~300 KB CVs)
# straight into the admissions Maildir, from big<i>-CASE@example.net.
inject_large_applications() { # N
  local box f
  /usr/bin/python3 "$TESTS_DIR/batch/make-large-applications.py" "$WORK/apps" "$1" big "$CASE" "$ADMISSIONS"
  box=$(maildir "$ADMISSIONS")
  mkdir -p "$box/new" "$box/cur" "$box/tmp"
  for f in "$WORK"/apps/*.eml; do
    cp "$f" "$box/tmp/${f##*/}"
    mv "$box/tmp/${f##*/}" "$box/new/$(date +%s).${f##*/}.admitd-test"
  done
  chown -R 65534:65534 "$box" # Dovecot's user
}

# Letters not sent yet; and the work left, weighted so that both filing (a message leaves the
# inbox, a letter is queued) and sending count as progress. None left: nothing to do.
unsent() { sqlite3 "$WORK/state/admitd.db" "SELECT count(*) FROM outbox WHERE state <> 'sent'"; }
work_units() {
  local unsent_now=0
  [ -f "$WORK/state/admitd.db" ] && unsent_now=$(unsent)
  echo $((2 * $(mail_count "$ADMISSIONS") + unsent_now))
}
work_left() { [ "$(work_units)" != 0 ]; }

# A random pause between 0 and MS milliseconds.
sleep_random_ms() { # MS
  local ms=$((RANDOM * 32768 + RANDOM))
  ms=$((ms % ($1 + 1)))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}

# One cycle, killed with SIGKILL at a random moment within WINDOW_MS: its whole process group,
# the document worker too, as a crash or a power cut takes everything. COMMAND, when given,
# runs just before the kill (the power cut). Returns 0 when the cycle was still at work then;
# KILLED (yes/no) and KILLED_AT (the work left before it) are for adapt_window.
WINDOW_MS=150
kill_at_random() { # [COMMAND...]
  local pid
  KILLED_AT=$(work_units)
  setsid "$ADMITD_BIN/admitd" -c "$WORK/admitd.conf" --once 2>>"$WORK/admitd.log" &
  pid=$!
  sleep_random_ms "$WINDOW_MS"
  [ $# = 0 ] || "$@"
  if kill -KILL "$pid" 2>/dev/null; then KILLED=yes; else KILLED=no; fi
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$KILLED" = yes ]
}

# After kill_at_random (and whatever recovery follows it): a cycle killed before it got anywhere
# makes WINDOW_MS longer (this machine is slower than the window: under AddressSanitizer the
# start-up alone takes longer than 150 ms), one that finished first makes it shorter, so the
# kills keep landing inside the work whatever the build.
adapt_window() {
  if [ "$KILLED" = yes ]; then
    [ "$(work_units)" -lt "$KILLED_AT" ] || WINDOW_MS=$((WINDOW_MS * 5 / 4))
  else
    WINDOW_MS=$((WINDOW_MS * 2 / 3 > 50 ? WINDOW_MS * 2 / 3 : 50))
  fi
}

# Cycles (at most 20) until no work is left, then waits for Postfix: what the crash tests do
# after their last kill. Logs to $WORK/admitd.log.
run_until_done() {
  local _
  for _ in $(seq 1 20); do
    admitd --once 2>>"$WORK/admitd.log" || true
    work_left || break
  done
  settle
}

# One application filed and its batch closed, the digest in the commission's mailbox: sets
# DIGEST (its file), DIGEST_ID, SUBJECT and REF for a test of the commission's replies.
one_application_in_review() {
  send_fixture complete-application.eml
  wait_mail "$ADMISSIONS" 1
  admitd --once
  admitctl batch close >/dev/null
  admitd --once
  wait_mail "commission-$CASE@example.org" 1
  DIGEST=$(mail_files "commission-$CASE@example.org" | sed -n 1p)
  DIGEST_ID=$(header "$DIGEST" Message-Id)
  SUBJECT=$(header "$DIGEST" Subject)
  REF=$(admitctl list --json | jq -r '.[0].ref')
}

# The batch anchor is today, so the current window is [today, today + 14 days).
in_days() { date -u -d "+$1 days" +%FT%TZ; }

maildir() { # ADDRESS [FOLDER]
  local d="$STACK_DIR/mail/$1/Maildir"
  [ -n "${2:-}" ] && d="$d/.$2"
  echo "$d"
}

mail_count() { # ADDRESS [FOLDER]
  local d
  d=$(maildir "$@")
  { find "$d/new" "$d/cur" -type f 2>/dev/null || true; } | wc -l
}

mail_files() { # ADDRESS [FOLDER]
  local d
  d=$(maildir "$@")
  { find "$d/new" "$d/cur" -type f 2>/dev/null || true; } | sort
}

# Waits until Postfix has delivered (or deferred) everything it accepted: after it, a count of a
# mailbox is final for what admitd has sent so far.
settle() { "$TESTS_DIR/mailstack.sh" settle "$STACK_DIR"; }

# Sends FILE from FROM as a server on the internet would deliver it: no AUTH, so our
# Authentication-Results say nothing passed.
send_mx() { # FROM FILE
  "$TESTS_DIR/mailstack.sh" send-mx "$STACK_DIR" "$1" "$ADMISSIONS" "$2"
}

# A server that accepts connections and never says a word, on 127.0.0.1:PORT, in the
# background until the test ends: SILENT_PID.
silent_server() { # PORT
  /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    held.append(s.accept())' "$1" </dev/null >/dev/null 2>&1 &
  SILENT_PID=$!
  local _
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "silent server on port $1 did not start" >&2
  return 1
}

# Waits until ADDRESS has at least N messages (delivery through Postfix is asynchronous).
wait_mail() { # ADDRESS N [FOLDER]
  local i
  for i in $(seq 1 100); do
    [ "$(mail_count "$1" "${3:-}")" -ge "$2" ] && return 0
    sleep 0.1
  done
  echo "timeout: $1 has $(mail_count "$1" "${3:-}") messages, expected $2" >&2
  return 1
}

# The decoded bytes of the base64 attachment named NAME in the message FILE.
attachment() { # FILE NAME
  awk -v name="$2" '
    !part && index($0, "filename=") && index($0, name) { part = 1; next }
    part && !body && /^\r?$/ { body = 1; next }
    body && /^--/ { exit }
    body { print }' "$1" | tr -d '\r' | base64 -d
}

# The decoded text of the first text/plain part of a message file (quoted-printable undone).
text_of() { # FILE
  /usr/bin/python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
part = m.get_body(preferencelist=("plain",))
print(part.get_content() if part is not None else "")' "$1"
}

# The value of header NAME in a message file, unfolded.
header() { # FILE NAME
  awk -v h="$2" '
    /^\r?$/ { exit }
    /^[ \t]/ { if (cur) line = line " " substr($0, 2); next }
    { if (cur) print line; cur = tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":"
      line = substr($0, length(h) + 3) }
    END { if (cur) print line }' "$1" | tr -d '\r'
}

check() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then
    echo "ok - $what"
  else
    echo "not ok - $what"
    FAILURES=$((FAILURES + 1))
  fi
}

# Fails on any AddressSanitizer, LeakSanitizer or UBSan report in the files.
no_sanitizer_report() { # FILE...
  ! grep -E -n "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer" "$@" >&2
}
equals() { [ "$1" = "$2" ] || { echo "  expected [$2], got [$1]" >&2; return 1; }; }
contains() { grep -q -- "$2" "$1" || { echo "  [$2] not in $1" >&2; return 1; }; }

# The stack's identity provider (tests/idp.py) and a config that logs in through it.
IDP_URL=https://127.0.0.1:${MAILSTACK_IDP_PORT:-10443}
idp() { curl -sS --fail-with-body --cacert "$STACK_DIR/ca.pem" "$@"; }
idp_client() { # CLIENT_ID SECRET ACCESS_SECONDS: a client that may use this test's mailbox
  idp -d "client_id=$1" -d "client_secret=$2" -d "mailbox=$ADMISSIONS" -d "access_seconds=$3" \
    "$IDP_URL/admin/client" >/dev/null
}
# Sets what write_config needs for imap.auth = smtp.auth = "oauth2" with a generic provider.
oauth2_settings() { # CLIENT_ID GRANT [SECRET_FILE]
  IMAP_EXTRA='auth = "oauth2";' SMTP_EXTRA='auth = "oauth2";'
  EXTRA_CONFIG="oauth2 = { provider = \"generic\"; grant = \"$2\"; client_id = \"$1\";
    ${3:+client_secret_file = \"$3\";} token_url = \"$IDP_URL/token\";
    device_authorization_url = \"$IDP_URL/devicecode\"; authorization_url = \"$IDP_URL/authorize\";
    scope = \"mail offline_access\"; ca_file = \"$STACK_DIR/ca.pem\"; };"
}
idp_grants() { idp "$IDP_URL/admin/stats" | jq -r ".grants[\"$1\"] // 0"; }
# No token the identity provider ever issued appears in the files.
no_token_in() { # FILE...
  local t
  for t in $(idp "$IDP_URL/admin/stats" | jq -r '.issued[]'); do
    if grep -l -F -- "$t" "$@" >&2; then echo "  a token is in the file(s) above" >&2; return 1; fi
  done
}
# Dovecot's successful IMAP logins of this test's mailbox with METHOD (XOAUTH2, OAUTHBEARER).
oauth_logins() { grep -c "Login: user=<$ADMISSIONS>, method=$1" "$STACK_DIR/dovecot.log" || true; }
# Logins (IMAP or SMTP) that Dovecot refused because the provider called the token inactive.
oauth_refusals() { idp "$IDP_URL/admin/stats" | jq -r .inactive; }

# Files under ROOT (the state: database, WAL, shared memory, spool; or a mailbox) that hold any
# NEEDLE, in plain, quoted-printable or base64 form; one per line.
traces() { # ROOT NEEDLE...
  /usr/bin/python3 - "$@" <<'PY'
import base64, os, quopri, sys
root, needles = sys.argv[1], sys.argv[2:]
forms = set()
for n in needles:
    b = n.encode()
    forms |= {b, quopri.encodestring(b).rstrip(b"=\n"), b.lower()}
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + b)
        skip = (pad * 4 + 2) // 3          # characters that still mix in the padding
        forms.add(enc[skip:len(enc) - 4])  # and leave the tail, which mixes with what follows
forms = {f for f in forms if len(f) >= 6}
for d, _, files in os.walk(root):
    for f in files:
        data = open(os.path.join(d, f), "rb").read()
        if any(x in data for x in forms):
            print(os.path.join(d, f))
PY
}

finish() {
  if [ -s "$WORK/helper-failures" ]; then
    echo "not ok - every admitctl call succeeded:"
    sed 's/^/  /' "$WORK/helper-failures"
    CHECKS=$((CHECKS + 1)) FAILURES=$((FAILURES + 1))
  fi
  if [ -n "${SANITIZER_LOGS:-}" ]; then
    check "no sanitizer report in the daemon's log" no_sanitizer_report $SANITIZER_LOGS
  fi
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
