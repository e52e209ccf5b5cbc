#!/usr/bin/env bash
# The Debian package on a clean Debian 12 booted with systemd as PID 1 (systemd-nspawn): it
# installs with apt, the service starts under its sandbox, reports READY and a readable STATUS,
# files and acknowledges an application through a real Dovecot and Postfix, logs to the journal
# with ADMITD_REF, reloads (and refuses a bad config), is not killed by WatchdogSec=20s while a
# hostile mail takes its document worker's whole budget (and files the application behind it),
# stops cleanly, and the template unit runs a second programme. The container shares the host's network, so it reaches a private mail stack
# started here on loopback.
#
#   tests/systemd-boot.sh DEB
#
# Needs root, debootstrap and systemd-container (scripts/install-deps). The clean Debian is
# debootstrapped once into $ADMITD_BOOT_CACHE (default /var/tmp/admitd-boot) and copied afresh
# for every run.
set -eEuo pipefail
trap '[ "$BASH_SUBSHELL" = 0 ] && echo "stopped: exit $? at ${BASH_SOURCE[0]}:${LINENO}: $BASH_COMMAND" >&2' ERR

deb=$(realpath "${1:?usage: systemd-boot.sh DEB}")
tests=$(dirname "$(realpath "$0")")
cache=${ADMITD_BOOT_CACHE:-/var/tmp/admitd-boot}
export MAILSTACK_IMAPS_PORT=11993 MAILSTACK_LMTP_PORT=11024 MAILSTACK_AUTH_PORT=11026 \
  MAILSTACK_SUBMISSION_PORT=11587 MAILSTACK_PLAIN_PORT=11025 MAILSTACK_TEMPFAIL_PORT=11588
CHECKS=0 FAILURES=0

check() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  if "$@"; then echo "ok - $what"; else echo "not ok - $what"; FAILURES=$((FAILURES + 1)); fi
}
equals() { [ "$1" = "$2" ] || { echo "  expected [$2], got [$1]" >&2; return 1; }; }
quiet() { "$@" >/dev/null; }
fails() { ! "$@" 2>/dev/null; }
# Runs COMMAND until it succeeds, at most TRIES times a tenth of a second apart.
retry() { # TRIES COMMAND...
  local tries=$1 _
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
matches() { [[ $1 =~ $2 ]] || { echo "  [$1] does not match /$2/" >&2; return 1; }; }

base_system() {
  [ -e "$cache/base/.complete" ] && return 0
  echo "== debootstrap Debian 12 (once, into $cache/base)"
  rm -rf "$cache/base"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,ca-certificates \
    bookworm "$cache/base" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; return 1; }
  touch "$cache/base/.complete"
}

base_system
work=$(mktemp -d "$cache/run.XXXXXX")
chmod 0755 "$work" # Postfix and Dovecot drop to their own users
root=$work/root
stack=$work/stack
nspawn_pid=""
cleanup() {
  [ -n "$nspawn_pid" ] && kill "$nspawn_pid" 2>/dev/null && wait "$nspawn_pid" 2>/dev/null
  "$tests/mailstack.sh" stop "$stack" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cp -a "$cache/base" "$root"
"$tests/mailstack.sh" start "$stack" >/dev/null

echo "== boot"
systemd-nspawn -D "$root" --register=no --keep-unit --console=pipe -b </dev/null \
  >"$work/console.log" 2>&1 &
nspawn_pid=$!
find_pid1() { pid1=$(pgrep -P "$nspawn_pid"); }
retry 100 find_pid1 ||
  { cat "$work/console.log" >&2; echo "the container did not start" >&2; exit 1; }
inside() { nsenter -t "$pid1" -m -u -i -n -p -- "$@"; }
# nsenter works before systemd listens; is-system-running then says "offline" or nothing.
booted() {
  state=$(inside systemctl is-system-running --wait 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != offline ]
}
retry 100 booted || tail -30 "$work/console.log" >&2
check "the container booted with systemd as PID 1 ($state)" matches "$state" '^(running|degraded)$'

echo "== install"
cp "$deb" "$root/root/"
inside bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends /root/admitd_*.deb' >"$work/apt.log" 2>&1 ||
  { tail -20 "$work/apt.log" >&2; exit 1; }
check "apt installs the package and its dependencies on a clean Debian 12" inside test -x /usr/sbin/admitd
check "the system user exists" quiet inside getent passwd admitd
check "the service is not started before it is configured" \
  equals "$(inside systemctl is-active admitd || true)" inactive

# The operator's part: a config naming the mail servers, and the two password files.
configure() { # NAME ADMISSIONS-ADDRESS STATE-DIRECTORY (the address gets its mail account)
  "$tests/mailstack.sh" account "$stack" "$2"
  cat >"$root/etc/admitd/$1.conf" <<CONF
programme = { name = "Master in AI4Gov"; reference_prefix = "AI4G";
  registration_url = "https://registration.example.org/ai4gov"; reply_from = "AI4Gov Admissions <$2>"; };
editions = ( { name = "this"; opens = "$(date -u -d '-30 days' +%F)"; closes = "$(date -u -d '+180 days' +%F)"; } );
batches = { anchor = "$(date -u +%F)"; period_days = 14; };
commission = { address = "commission@example.org"; members = [ "chair@example.org" ]; };
imap = { url = "imaps://localhost:$MAILSTACK_IMAPS_PORT/INBOX"; username = "$2";
  password_file = "/etc/admitd/imap.password"; ca_file = "/etc/admitd/ca.pem";
  processed_mailbox = "Processed"; poll_seconds = 5; };
smtp = { url = "smtp://localhost:$MAILSTACK_SUBMISSION_PORT"; username = "$2";
  password_file = "/etc/admitd/smtp.password"; ca_file = "/etc/admitd/ca.pem"; };
storage = { database = "$3/admitd.db"; spool = "$3/spool"; };
templates = { dir = "/usr/share/admitd/templates"; };
CONF
}
configure admitd admissions-boot@example.org /var/lib/admitd
cp "$stack/ca.pem" "$root/etc/admitd/ca.pem"
install -m 0600 "$stack/password" "$root/etc/admitd/imap.password"
install -m 0600 "$stack/password" "$root/etc/admitd/smtp.password"

echo "== start"
journal() { inside journalctl --no-pager -o cat "$@"; }
# Journal lines from now on: journal_since "$(cursor)" -u admitd
cursor() { inside journalctl -n0 --show-cursor | sed -n 's/^-- cursor: //p'; }
journal_since() { local c=$1; shift; journal --after-cursor="$c" "$@"; }
started=yes
inside systemctl start admitd || { started=no; journal -u admitd | tail -20 >&2; }
check "systemctl start returns once admitd is READY" equals "$started" yes
show() { inside systemctl show -P "$1" "${2:-admitd}"; }
check "it runs" equals "$(show ActiveState)/$(show SubState)" active/running
status=$(show StatusText)
check "STATUS is readable ($status)" matches "$status" '^0 pending, 0 in review, no open batch, outbox empty$'
main=$(show MainPID)
proc() { inside awk -v k="$1:" '$1 == k { print $2 }' "/proc/$main/status"; }
check "it runs as the admitd user" equals "$(inside stat -c %U "/proc/$main")" admitd
check "with a seccomp filter" equals "$(proc Seccomp)" 2
check "with no new privileges" equals "$(proc NoNewPrivs)" 1
check "with no capabilities" equals "$(proc CapEff)" 0000000000000000
exposure=$(inside systemd-analyze security --no-pager admitd | sed -n 's/.*Overall exposure level for admitd.service: \([0-9.]*\).*/\1/p')
check "systemd-analyze security on the running system: exposure $exposure <= 2.0" \
  awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'

echo "== an application"
applicant=ana-boot@example.net
sed "s/ana.sanchez@example.net/$applicant/g" "$tests/mail/complete-application.eml" >"$work/app.eml"
"$tests/mailstack.sh" send "$stack" "$applicant" admissions-boot@example.org "$work/app.eml"
inbox="$stack/mail/$applicant/Maildir"
acknowledged() { ack=$(find "$inbox/new" "$inbox/cur" -type f 2>/dev/null | head -1); [ -n "$ack" ]; }
check "the applicant gets the acknowledgement" retry 300 acknowledged
ref=$(grep -o -m1 'AI4G-[0-9]*-[0-9]*' "$ack" || true)
check "it names the reference ($ref)" matches "$ref" '^AI4G-[0-9]{4}-[0-9]{4}$'
shown=$(inside runuser -u admitd -- admitctl -c /etc/admitd/admitd.conf show "$ref" --json || true)
check "the document worker counted the pages inside the sandbox" \
  equals "$(jq -r '[.documents[] | .pages] | sort | join(",")' <<<"$shown" 2>/dev/null)" 1,2
# The status is written at the end of the cycle that sent the acknowledgement.
status_matches() { [[ $(show StatusText) =~ $1 ]]; }
status_is() {
  retry 50 status_matches "$1" || { echo "  STATUS [$(show StatusText)] does not match /$1/" >&2; return 1; }
}
check "STATUS counts it and names the batch" \
  status_is '^1 pending, 0 in review, batch [0-9]+ closes [0-9]{4}-[0-9]{2}-[0-9]{2}, outbox empty$'
story=$(journal -u admitd "ADMITD_REF=${ref:-none}" || true)
check "journalctl ADMITD_REF=$ref tells its story" matches "$story" "${ref:-none}"
check "letters included" matches "$story" "outbox sent id=[0-9]+ ref=${ref:-none} .*template=acknowledgement"
ack_id=$(sed -n 's/^Message-I[Dd]: *<\(.*\)>.*/\1/p' "$ack" | tr -d '\r' | head -1)
sent=$(journal -u admitd "ADMITD_MESSAGE_ID=${ack_id:-none}" || true)
check "journalctl ADMITD_MESSAGE_ID=$ack_id finds the letter's sending" matches "$sent" "outbox sent .*template=acknowledgement"
# An operator's admitctl under systemd-run logs to the journal too.
inside systemd-run --wait -q -p User=admitd /usr/bin/admitctl -c /etc/admitd/admitd.conf batch close
batch=$(inside runuser -u admitd -- admitctl -c /etc/admitd/admitd.conf batch list | awk 'NR == 2 { print $1 }')
story=$(journal "ADMITD_BATCH=${batch:-none}" || true)
check "journalctl ADMITD_BATCH=$batch finds the batch closing" matches "$story" "batch closed batch=$batch "

echo "== reload"
# Waits until the journal since cursor C shows a line matching PATTERN (SIGHUP is asynchronous).
journal_has() { journal_since "$1" -u admitd | grep -Eq -- "$2"; }
journal_wait() { # C PATTERN
  retry 100 journal_has "$1" "$2" && return 0
  echo "  no journal line like /$2/ in:" >&2
  journal_since "$1" -u admitd >&2
  return 1
}
c=$(cursor)
check "systemctl reload succeeds" inside systemctl reload admitd
check "admitd reloads" journal_wait "$c" '^reload config='
check "it still runs, same process" equals "$(show ActiveState)/$(show MainPID)" "active/$main"
cp "$root/etc/admitd/admitd.conf" "$work/good.conf"
echo 'imap = { broken' >>"$root/etc/admitd/admitd.conf"
c=$(cursor)
check "systemctl reload fails at once on a bad config" fails inside systemctl reload admitd
check "the journal names the line at fault" journal_wait "$c" 'admitd.conf:[0-9]+'
c=$(cursor)
inside systemctl kill -s HUP admitd
check "a SIGHUP that bypasses the check is refused by admitd itself" journal_wait "$c" '^reload refused'
check "it still runs the old configuration, same process" \
  equals "$(show ActiveState)/$(show MainPID)" "active/$main"
cp "$work/good.conf" "$root/etc/admitd/admitd.conf"

echo "== watchdog"
mkdir -p "$root/etc/systemd/system/admitd.service.d"
printf '[Service]\nWatchdogSec=2s\n' >"$root/etc/systemd/system/admitd.service.d/watchdog.conf"
inside systemctl daemon-reload
inside systemctl restart admitd
main=$(show MainPID)
pinged=$(show WatchdogTimestampMonotonic)
sleep 5
check "with WatchdogSec=2s it is not killed" equals "$(show ActiveState)/$(show MainPID)" "active/$main"
check "because WATCHDOG=1 keeps arriving" [ "$(show WatchdogTimestampMonotonic)" -gt "$pinged" ]

echo "== a mail that takes its whole budget to read"
# Hostile documents that cost the document worker 30 s, then an ordinary application: under
# WatchdogSec=20s admitd is not killed (it pings while it waits), and files the one behind.
printf '[Service]\nWatchdogSec=20s\n' >"$root/etc/systemd/system/admitd.service.d/watchdog.conf"
inside systemctl daemon-reload
inside systemctl restart admitd
main=$(show MainPID)
restarts=$(show NRestarts)
mallory=mallory-boot@example.com
/usr/bin/python3 "$tests/hostile/make-hostile-docs.py" "$work/hostile" --mail "$mallory" admissions-boot@example.org
"$tests/mailstack.sh" send "$stack" "$mallory" admissions-boot@example.org "$work/hostile/hostile.eml"
behind=bea-boot@example.net
sed "s/ana.sanchez@example.net/$behind/g" "$tests/mail/complete-application.eml" >"$work/behind.eml"
"$tests/mailstack.sh" send "$stack" "$behind" admissions-boot@example.org "$work/behind.eml"
worker_pid() { wpid=$(inside pgrep -u admitd -x admitd-docread | head -1 || true); [ -n "$wpid" ]; }
filters() { inside awk '$1 == "Seccomp_filters:" { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
# A worker just started has not installed its filter yet: look again until it has (or the
# worker is gone), for as long as the documents keep one at work.
dfilters=$(filters "$main")
filtered() { worker_pid && wfilters=$(filters "$wpid") && [ "${wfilters:-0}" -gt "${dfilters:-0}" ]; }
if retry 300 worker_pid; then
  retry 300 filtered || true
  check "the document worker adds its own system call filter to the unit's ($dfilters, then ${wfilters:-?})" \
    [ "${wfilters:-0}" -gt "${dfilters:-0}" ]
else
  check "the document worker was seen at work" false
fi
inbox="$stack/mail/$behind/Maildir"
check "the application behind it is acknowledged" retry 900 acknowledged
check "admitd was not killed on the way: same process, no restart" \
  equals "$(show ActiveState)/$(show MainPID)/$(show NRestarts)" "active/$main/$restarts"
problems=$(inside runuser -u admitd -- admitctl -c /etc/admitd/admitd.conf list --json 2>/dev/null |
  jq -r --arg e "$mallory" '.[] | select(.email == $e) | .problems | join(" ")' 2>/dev/null || true)
check "the hostile documents are filed as unreadable ($problems)" matches "$problems" unreadable-document

echo "== stop"
check "systemctl stop succeeds" inside systemctl stop admitd
check "admitd stopped cleanly (exit 0, result success)" \
  equals "$(show ActiveState)/$(show ExecMainStatus)/$(show Result)" inactive/0/success
# By its PID, not after a cursor: a stop right after a busy cycle (the slow mail above) was
# logged (journalctl _PID= shows it) but not found after the cursor taken before the stop.
said_stop() { journal "_PID=$main" | grep -qx stop; }
check "and said so" retry 100 said_stop

echo "== template unit"
configure ai4gov admissions-boot2@example.org /var/lib/admitd/ai4gov
install -m 0600 "$stack/password" "$root/etc/admitd/ai4gov.imap.password"
install -m 0600 "$stack/password" "$root/etc/admitd/ai4gov.smtp.password"
check "admitd@ai4gov starts with /etc/admitd/ai4gov.conf" inside systemctl start admitd@ai4gov
check "and runs" equals "$(show ActiveState admitd@ai4gov)" active
check "with its own state" inside test -s /var/lib/admitd/ai4gov/admitd.db
inside systemctl stop admitd@ai4gov

echo "== a bad configuration at start"
# RestartSec=1s so that a restart loop, if there were one, shows within seconds.
printf '[Service]\nRestartSec=1s\n' >"$root/etc/systemd/system/admitd.service.d/restart.conf"
inside systemctl daemon-reload
echo 'imap = { broken' >>"$root/etc/admitd/admitd.conf"
c=$(cursor)
check "systemctl start fails on a bad config" fails inside systemctl start admitd
check "the journal names the line at fault" journal_wait "$c" 'admitd.conf:[0-9]+'
sleep 4
check "it is not restarted (exit 78 stops it): NRestarts=$(show NRestarts)" equals "$(show NRestarts)" 0
check "it stays failed" equals "$(show ActiveState)" failed
cp "$work/good.conf" "$root/etc/admitd/admitd.conf"
rm "$root/etc/systemd/system/admitd.service.d/restart.conf"
inside systemctl daemon-reload
inside systemctl reset-failed admitd

echo "== a fresh machine: scripts/install-deps, then the build and the unit tests"
# The two README commands start with scripts/install-deps: on this bare Debian 12 it must
# bring everything the build and the tests use. Services stay stopped while apt installs them.
mkdir -p "$root/root/src"
(cd "$tests/.." && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -C "$root/root/src" -xf -
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
fresh() {
  inside bash -c 'cd /root/src && ./scripts/install-deps && ./scripts/build build &&
    cd build && ctest -L unit --output-on-failure' >"$work/fresh.log" 2>&1 ||
    { tail -30 "$work/fresh.log" >&2; return 1; }
}
check "install-deps, build and unit tests pass on a bare Debian 12" fresh
for tool in sqlite3 clang jq curl dovecot postfix mkfs.ext4 losetup /usr/bin/python3; do
  check "install-deps brought $tool" quiet inside bash -c "command -v $tool"
done
check "and clang's libFuzzer runtime" quiet inside bash -c 'echo "int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }" |
  clang -x c -fsanitize=fuzzer -o /tmp/f - && /tmp/f -runs=1 2>/dev/null'
check "and python3-milter for the test stack" quiet inside /usr/bin/python3 -c 'import Milter'
rm -f "$root/usr/sbin/policy-rc.d"
inside systemctl poweroff 2>/dev/null || true # PID 1 goes before it answers
wait "$nspawn_pid" || true
nspawn_pid=""

echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
[ "$FAILURES" -eq 0 ]
