#!/usr/bin/env bash
# Retention: after retention.discarded_days, a discarded application's documents and raw
# messages are deleted; its reference, state and dates stay, and the purge is recorded.
# Applications in other states are not touched.
. "$(dirname "$0")/lib.sh"

EXTRA_CONFIG='retention = { discarded_days = 30; };' write_config
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
admitd --once
ANA_REF=$(admitctl list --json | jq -r --arg e "$(applicant ana.sanchez@example.net)" '.[] | select(.email == $e) | .ref')
admitctl decide "$ANA_REF" discard --force >/dev/null
db() { sqlite3 "$WORK/state/admitd.db" "$1"; }
files=$(db "SELECT group_concat(d.path, ' ') || ' ' || (SELECT group_concat(spool_path, ' ') FROM messages m WHERE m.application_id = a.id) FROM applications a JOIN documents d ON d.application_id = a.id WHERE a.ref = '$ANA_REF'")
check "before the retention period nothing is purged" admitd --once --now "$(in_days 29)"
check "the files are still there" bash -c "ls $files >/dev/null"
check "after it the cycle purges" admitd --once --now "$(in_days 31)"
check "the documents and raw message are deleted" bash -c "! ls $files 2>/dev/null"
check "the application keeps reference and state" equals "$(admitctl show "$ANA_REF" --json | jq -r .state)" discarded
check "the purge is recorded" contains <(admitctl history "$ANA_REF") "retention-purged"
check "the other application keeps its files" \
  equals "$(db "SELECT count(*) FROM documents WHERE path <> ''")" 2
check "a later cycle purges nothing again" admitd --once --now "$(in_days 60)"
check "one purge event" equals "$(admitctl history "$ANA_REF" | grep -c retention-purged)" 1
finish
