#!/usr/bin/env bash
# An office that wants an early review closes the current batch from the command line; the
# digest goes out on the next cycle, and later applications of the same window form a new batch.
. "$(dirname "$0")/lib.sh"

write_config
COMMISSION=commission-$CASE@example.org
send_fixture complete-application.eml
wait_mail "$ADMISSIONS" 1
check "the application is filed" admitd --once
check "batch close closes the current batch" contains <(admitctl batch close) "1 applications in review"
check "its application is in review" equals "$(admitctl list --json | jq -r '.[0].state')" in_review
check "the digest goes out on the next cycle" admitd --once
wait_mail "$COMMISSION" 1
check "the commission has the digest" equals "$(mail_count "$COMMISSION")" 1

send_fixture german-application.eml
wait_mail "$ADMISSIONS" 1
check "a later application is filed" admitd --once
check "it waits in a new open batch of the same window" \
  equals "$(admitctl batch list | awk 'NR > 1 {print $1 $4 $5}' | tr '\n' ' ')" "1closed1 2open1 "
check "closing twice in a row finds nothing to close the second time" \
  bash -c "'$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' batch close >/dev/null &&
           '$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' batch close | grep -q 'nothing to close'"
finish
