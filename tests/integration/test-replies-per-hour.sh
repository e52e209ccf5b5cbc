#!/usr/bin/env bash
# limits.replies_per_hour caps automatic replies in all, whoever they go to (a flood of
# forged senders cannot make us a spam cannon): over it, applications are still filed, the
# replies are held and counted by status, and the cap frees again an hour later.
. "$(dirname "$0")/lib.sh"

EXTRA_CONFIG="limits = { replies_per_hour = 3; };" write_config
inject_applications hourly 1 5
check "the cycle succeeds" admitd --once 2>"$WORK/admitd.log"
settle
answered=0
for i in 1 2 3 4 5; do answered=$((answered + $(mail_count "hourly$i-$CASE@example.net"))); done
check "all five applications are filed" equals "$(admitctl list --json | jq length)" 5
check "three are answered (replies_per_hour = 3)" equals "$answered" 3
check "the outbox holds only those three" equals "$(admitctl outbox --json | jq length)" 3
check "the log says why the others were not" \
  equals "$(grep -c 'reply held .*limits.replies_per_hour reached' "$WORK/admitd.log")" 2
check "status counts the held replies" contains <(admitctl status) "^Replies held  *2 "
inject_applications hourly 6 6
check "an hour later the cap has room again" admitd --once --now "$(date -u -d '+61 minutes' +%FT%TZ)"
settle
check "the new applicant is answered" equals "$(mail_count "hourly6-$CASE@example.net")" 1
finish
