#!/usr/bin/env bash
# A private mail stack on loopback for the tests and the demo: Dovecot (IMAPS, LMTP, SASL auth)
# and Postfix (SMTP with STARTTLS and AUTH, delivering into Dovecot over LMTP), both run from a
# folder of their own and stopped by PID, with the servers' own defaults (Postfix's 10 MB
# message_size_limit among them). Needs root (Postfix and Dovecot drop to their users).
#
#   tests/mailstack.sh start DIR   write configs and a fresh CA under DIR, start both servers
#   tests/mailstack.sh stop DIR    stop both servers
#   tests/mailstack.sh stop-imap DIR / start-imap DIR   take Dovecot away and back (outage tests)
#   tests/mailstack.sh stop-smtp DIR / start-smtp DIR   the same for Postfix
#   tests/mailstack.sh account DIR ADDRESS   let ADDRESS log in (IMAP, SMTP) with DIR/password
#   tests/mailstack.sh send DIR FROM TO FILE
#                                  submit FILE through Postfix (STARTTLS, AUTH as FROM, whose
#                                  account this makes: the sender's own provider)
#   tests/mailstack.sh send-mx DIR FROM TO FILE
#                                  deliver FILE as another server would: no TLS, no AUTH
#   tests/mailstack.sh settle DIR  wait until Postfix has nothing in flight (only deferred mail)
#
# Every address at example.org, example.net and example.com gets a mailbox under DIR/mail/ADDRESS;
# a login works only for an account (DIR/users) with the password in DIR/password. The
# submission port requires STARTTLS and AUTH; the MX port takes mail without either, as port 25
# does; the tempfail port is a submission port that answers 450 to every RCPT (a server in
# trouble); the no-SMTPUTF8 port is a submission port that does not offer SMTPUTF8 (RFC 6531),
# as older servers do. Mailboxes whose address is not ASCII (RFC 6531) live at intl.example.org:
# Dovecot's LMTP in Debian 12 does not offer SMTPUTF8, so Postfix delivers that domain through
# dovecot-lda, which needs no userdb (Dovecot's default auth_username_chars is ASCII).
# Every message passes tests/auth-milter.py, which removes the Authentication-Results the
# sender wrote and adds our own (authserv-id mx.admitd.test). Mail to
# rejected.example.com is refused at RCPT (550); mail to bounce.example.com is accepted and
# then bounced with a delivery report to its sender; other domains are discarded.
#
# Logins with SASL XOAUTH2 or OAUTHBEARER (IMAP, and SMTP through Dovecot SASL) are checked by
# Dovecot's own oauth2 passdb against tests/idp.py, the stack's identity provider on
# https://127.0.0.1:IDP_PORT (its clients are registered by the tests: see the top of idp.py).
# Dovecot offers both mechanisms; the XOAUTH2 port is a submission port that offers only XOAUTH2
# (and PLAIN, LOGIN), as Microsoft 365 does.
set -euo pipefail

IMAPS_PORT=${MAILSTACK_IMAPS_PORT:-10993}
LMTP_PORT=${MAILSTACK_LMTP_PORT:-10024}
AUTH_PORT=${MAILSTACK_AUTH_PORT:-10026}
SUBMISSION_PORT=${MAILSTACK_SUBMISSION_PORT:-10587}
PLAIN_PORT=${MAILSTACK_PLAIN_PORT:-10025} # the MX: no STARTTLS, no AUTH (and benchmarks)
TEMPFAIL_PORT=${MAILSTACK_TEMPFAIL_PORT:-10588} # submission that answers 4xx to every recipient
IDP_PORT=${MAILSTACK_IDP_PORT:-10443} # tests/idp.py: the OAuth2 identity provider (HTTPS)
XOAUTH2_PORT=${MAILSTACK_XOAUTH2_PORT:-10589} # submission offering only XOAUTH2, as Microsoft 365
NOUTF8_PORT=${MAILSTACK_NOUTF8_PORT:-10590} # submission that does not offer SMTPUTF8
MILTER=${MAILSTACK_MILTER:-yes} # no: without tests/auth-milter.py (bench/run, timing Postfix alone)
DOMAINS="example.org example.net example.com"
INTL_DOMAIN=intl.example.org # UTF-8 mailboxes, delivered by dovecot-lda

die() { echo "mailstack: $*" >&2; exit 1; }

make_certificates() {
  local d=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=admitd test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
  chmod 0644 "$d/server.key"
}

write_dovecot_conf() {
  local d=$1
  cat >"$d/dovecot.conf" <<CONF
instance_name = admitd-test-$(basename "$d")
base_dir = $d/dovecot-run
state_dir = $d/dovecot-state
log_path = $d/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = required
ssl_cert = <$d/server.pem
ssl_key = <$d/server.key
auth_mechanisms = plain login xoauth2 oauthbearer
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users/%u
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $d/dovecot-oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$d/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
namespace inbox {
  inbox = yes
  separator = /
}
CONF
  cat >"$d/dovecot-oauth2.conf.ext" <<CONF
introspection_mode = post
introspection_url = https://127.0.0.1:$IDP_PORT/introspect
username_attribute = username
active_attribute = active
active_value = true
tls_ca_cert_file = $d/ca.pem
CONF
}

write_postfix_conf() {
  local d=$1 p=$1/postfix milters=""
  [ "$MILTER" = yes ] && milters="smtpd_milters = unix:$d/milter.sock
non_smtpd_milters = unix:$d/milter.sock
milter_default_action = tempfail"
  mkdir -p "$p" "$d/postfix-queue" "$d/postfix-data"
  chown postfix "$d/postfix-data"
  cat >"$p/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $d/postfix-queue
data_directory = $d/postfix-data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.admitd.test
mydomain = admitd.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = $DOMAINS $INTL_DOMAIN
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
default_transport = discard:
relay_transport = discard:
smtpd_tls_cert_file = $d/server.pem
smtpd_tls_key_file = $d/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_relay_restrictions = permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination
$milters
smtpd_recipient_restrictions = check_recipient_access inline:{ { rejected.example.com = 550 5.1.1 no such user here } }
transport_maps = inline:{ { bounce.example.com = error:5.1.1 mailbox unavailable }, { $INTL_DOMAIN = lda: } }
# Accept mail for bounce.example.com and bounce it afterwards, as a remote server would.
smtpd_reject_unlisted_recipient = no
maillog_file = $d/postfix.log
maillog_file_prefixes = $d
CONF
  # Submission as a university runs it: STARTTLS, then AUTH, before anything else.
  local submission="  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject"
  cat >"$p/master.cf" <<CONF
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
$submission
127.0.0.1:$TEMPFAIL_PORT inet n - n - - smtpd
$submission
  -o smtpd_recipient_restrictions=defer
127.0.0.1:$XOAUTH2_PORT inet n - n - - smtpd
$submission
  -o smtpd_sasl_mechanism_filter=xoauth2,plain,login
127.0.0.1:$NOUTF8_PORT inet n - n - - smtpd
$submission
  -o smtputf8_enable=no
127.0.0.1:$PLAIN_PORT inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=no
  -o smtpd_tls_security_level=none
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
lda       unix - n n - - pipe
  flags=DR user=nobody argv=/usr/lib/dovecot/dovecot-lda -c $d/dovecot.conf -o log_path=/dev/stderr -o stats_writer_socket_path= -o mail_location=maildir:$d/mail/\${recipient}/Maildir -f \${sender}
CONF
}

wait_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on 127.0.0.1:$port"
}

start() {
  local d=$1
  [ "$(id -u)" = 0 ] || die "must run as root (Postfix and Dovecot drop privileges themselves)"
  command -v dovecot >/dev/null && command -v postfix >/dev/null ||
    die "dovecot and postfix are not installed (scripts/install-deps installs them)"
  mkdir -p "$d/mail"
  d=$(cd "$d" && pwd)
  stop "$d" # a stack left running by an interrupted run
  rm -rf "$d/mail" "$d/postfix-queue" "$d/dovecot-state" && mkdir -p "$d/mail"
  for port in "$IMAPS_PORT" "$LMTP_PORT" "$AUTH_PORT" "$SUBMISSION_PORT" "$PLAIN_PORT" "$TEMPFAIL_PORT" "$IDP_PORT" "$XOAUTH2_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port is taken by another program; set MAILSTACK_*_PORT or stop it"
    fi
  done
  chmod 0755 "$d"
  chown 65534:65534 "$d/mail"
  [ -s "$d/password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$d/password"
  chmod 0600 "$d/password"
  rm -rf "$d/users" && mkdir -m 0755 "$d/users"
  make_certificates "$d"
  write_dovecot_conf "$d"
  write_postfix_conf "$d"
  # Detach from our stdout: CTest waits until every holder of its pipe has exited.
  [ "$MILTER" = yes ] && start_milter "$d"
  start_idp "$d"
  start_imap "$d"
  postfix -c "$d/postfix" start </dev/null >/dev/null 2>"$d/postfix-start.log" ||
    { cat "$d/postfix-start.log" "$d/postfix.log" >&2 2>/dev/null; die "postfix did not start"; }
  wait_port "$IMAPS_PORT"
  wait_port "$LMTP_PORT"
  wait_port "$SUBMISSION_PORT"
}

# Stops the process whose PID is in FILE: SIGTERM, at most TENTHS tenths of a second to go,
# then (with "force") SIGKILL.
stop_pid() { # FILE TENTHS [force]
  local pid i
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 "$2"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  [ "${3:-}" = force ] && kill -KILL "$pid" 2>/dev/null
  return 0
}

stop_imap() { stop_pid "$1/dovecot-run/master.pid" 50; }

start_imap() {
  local d=$1
  dovecot -c "$d/dovecot.conf" </dev/null >>"$d/dovecot.log" 2>&1
  wait_port "$IMAPS_PORT"
  # Postfix's smtpd processes keep their SASL connection to the old Dovecot auth service;
  # a reload replaces them, so the next login does not fail with 454.
  if [ -f "$d/postfix-queue/pid/master.pid" ]; then
    postfix -c "$d/postfix" reload >/dev/null 2>&1 || true
  fi
}

start_milter() {
  local d=$1
  command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import Milter' 2>/dev/null ||
    die "python3-milter is not installed (scripts/install-deps installs it)"
  # A unix socket: over loopback TCP, Nagle and delayed ACKs cost ~90 ms a message.
  rm -f "$d/milter.sock"
  setsid /usr/bin/python3 "$(dirname "$(realpath "$0")")/auth-milter.py" "unix:$d/milter.sock" \
    "$d/milter.pid" </dev/null >>"$d/milter.log" 2>&1 &
  for _ in $(seq 1 100); do [ -S "$d/milter.sock" ] && break; sleep 0.05; done
  [ -S "$d/milter.sock" ] || die "the test milter did not start: $(cat "$d/milter.log")"
  chmod 0666 "$d/milter.sock" # smtpd runs as postfix
}

start_idp() {
  local d=$1
  setsid /usr/bin/python3 "$(dirname "$(realpath "$0")")/idp.py" "$IDP_PORT" "$d/server.pem" \
    "$d/server.key" "$d/idp.pid" "$d/password" </dev/null >>"$d/idp.log" 2>&1 &
  wait_port "$IDP_PORT"
}

stop_idp() { stop_pid "$1/idp.pid" 20 force && rm -f "$1/idp.pid"; }

# libmilter waits for its sessions to end before it honours SIGTERM.
stop_milter() { stop_pid "$1/milter.pid" 10 force && rm -f "$1/milter.pid"; }

account() {
  local d=$1 address=$2
  [ -f "$d/users/$address" ] && return 0
  # A file per account: Dovecot looks at a passwd-file it has read at most once a second, so
  # a user added to one shared file was unknown for up to a second.
  echo "$address:{PLAIN}$(cat "$d/password")::::::" >"$d/users/$address.tmp"
  mv "$d/users/$address.tmp" "$d/users/$address"
}

# Postfix has nothing in flight: no message waiting to be picked up, cleaned up or delivered
# (deferred mail may stay). Then everything it accepted is in a mailbox, bounced or deferred.
settle() {
  local d=$1 i quiet=0
  for i in $(seq 1 200); do
    if [ -z "$(find "$d/postfix-queue/maildrop" "$d/postfix-queue/incoming" \
      "$d/postfix-queue/active" -type f 2>/dev/null | head -1)" ]; then
      quiet=$((quiet + 1))
      [ "$quiet" -ge 3 ] && return 0
    else
      quiet=0
    fi
    sleep 0.05
  done
  die "postfix still has mail in flight after 10 s: $(find "$d/postfix-queue/incoming" "$d/postfix-queue/active" -type f | wc -l) messages"
}

stop_smtp() {
  postfix -c "$1/postfix" stop >/dev/null 2>&1 || true
}

start_smtp() {
  postfix -c "$1/postfix" start </dev/null >/dev/null 2>>"$1/postfix-start.log"
  wait_port "$SUBMISSION_PORT"
}

stop() {
  local d=$1
  stop_smtp "$d"
  stop_imap "$d"
  stop_milter "$d"
  stop_idp "$d"
}

send() {
  local d=$1 from=$2 to=$3 file=$4
  account "$d" "$from"
  curl -sS --url "smtp://127.0.0.1:$SUBMISSION_PORT" --ssl-reqd --cacert "$d/ca.pem" \
    -u "$from:$(cat "$d/password")" --mail-from "$from" --mail-rcpt "$to" -T "$file"
}

send_mx() {
  local d=$1 from=$2 to=$3 file=$4
  curl -sS --url "smtp://127.0.0.1:$PLAIN_PORT" --mail-from "$from" --mail-rcpt "$to" -T "$file"
}

case "${1:-}" in
  start) start "${2:?directory}" ;;
  account) account "${2:?directory}" "${3:?address}" ;;
  settle) settle "${2:?directory}" ;;
  send-mx) send_mx "${2:?directory}" "${3:?from}" "${4:?to}" "${5:?file}" ;;
  stop) stop "${2:?directory}" ;;
  send) send "${2:?directory}" "${3:?from}" "${4:?to}" "${5:?file}" ;;
  stop-imap) stop_imap "${2:?directory}" ;;
  start-imap) start_imap "${2:?directory}" ;;
  stop-smtp) stop_smtp "${2:?directory}" ;;
  start-smtp) start_smtp "${2:?directory}" ;;
  *) die "usage: $0 start|stop|account|settle|send|send-mx DIR ... (see the top of this file)" ;;
esac
