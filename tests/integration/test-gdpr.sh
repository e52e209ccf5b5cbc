#!/usr/bin/env bash
# Data protection: one person's data exported with its files; then erased, leaving only each
# application's reference, state and dates and a record of the erasure. Also the batch export.
. "$(dirname "$0")/lib.sh"

write_config
ANA=$(applicant ana.sanchez@example.net)
LENA=$(applicant lena.mueller@example.org)
send_fixture complete-application.eml
send_fixture german-application.eml
wait_mail "$ADMISSIONS" 2
admitd --once
ANA_REF=$(admitctl list --json | jq -r --arg e "$ANA" '.[] | select(.email == $e) | .ref')
db() { sqlite3 "$WORK/state/admitd.db" "$1"; }

admitctl export --batch 1 --csv >"$WORK/batch.csv"
check "the batch as CSV has a header and a row per application" equals "$(wc -l <"$WORK/batch.csv")" 3
check "with pages" contains "$WORK/batch.csv" "^$ANA_REF,Ana Sánchez,$ANA,pending,.*,2,1,"
check "and as JSON" equals "$(admitctl export --batch 1 --json | jq length)" 2
admitctl_raw export --batch 1 >/dev/null 2>&1 && rc=0 || rc=$?
check "export without a format is a usage error" equals "$rc" 64

admitctl gdpr export "$ANA" --out "$WORK/export" >/dev/null
check "the export names the person" equals "$(jq -r '.person[0].email' "$WORK/export/person.json")" "$ANA"
check "with the application" equals "$(jq -r '.applications[0].ref' "$WORK/export/person.json")" "$ANA_REF"
check "the documents are copied" \
  cmp "$WORK/export/$(jq -r '.documents[] | select(.kind == "cv") | .file' "$WORK/export/person.json")" "$TESTS_DIR/mail/docs-cv.pdf"
check "the raw message is copied" \
  contains "$WORK/export/$(jq -r '.messages[0].file' "$WORK/export/person.json")" "app-ana-1@example.net"
check "the letters sent are copied" \
  contains "$WORK/export/$(jq -r '.letters[0].file' "$WORK/export/person.json")" "$ANA_REF"
check "and the events" test "$(jq '.events | length' "$WORK/export/person.json")" -ge 2
check "nothing of anyone else" bash -c "! grep -rq '$LENA' '$WORK/export'"

docs=$(db "SELECT group_concat(path, ' ') FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.ref = '$ANA_REF'")
raw=$(db "SELECT spool_path FROM messages WHERE sender = '$ANA'")
admitctl_raw gdpr erase "$ANA" </dev/null >/dev/null 2>&1 && rc=0 || rc=$?
check "erase without --yes off a terminal refuses" equals "$rc" 64
check "and erases nothing" equals "$(db "SELECT count(*) FROM applicants WHERE email = '$ANA'")" 1
check "erase --yes" admitctl gdpr erase "$ANA" --yes
check "the person is gone from the store" \
  equals "$(db "SELECT count(*) FROM applicants WHERE email = '$ANA'") $(db "SELECT count(*) FROM outbox WHERE to_addr = '$ANA'") $(db "SELECT count(*) FROM messages WHERE sender = '$ANA'")" "0 0 0"
check "their documents and raw message are deleted" bash -c "! ls $docs $raw 2>/dev/null"
check "the application keeps its reference; waiting for its batch, it is withdrawn" \
  equals "$(admitctl show "$ANA_REF" --json | jq -c '[.state, (.documents | length), .name]')" '["withdrawn",0,""]'
check "and records the erasure" contains <(admitctl history "$ANA_REF") "gdpr-erased"
check "and why it was withdrawn" contains <(admitctl history "$ANA_REF") "withdrawn.*on the erasure of their personal data"
check "the other applicant is untouched" \
  equals "$(admitctl list --json | jq -r --arg e "$LENA" '[.[] | select(.email == $e) | .documents | length] | .[0]')" 2
finish
