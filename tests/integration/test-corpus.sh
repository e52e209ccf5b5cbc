#!/usr/bin/env bash
# The corpus of real-shaped applications (tests/mail/corpus, one per mail client and
# document case, and mail machines send) through the real stack: for each, the stored documents
# and page counts, the problems, the state, the reply in the sender's mailbox or that there is
# none, and how the message was filed (tests/integration/corpus.tsv).
. "$(dirname "$0")/lib.sh"

write_config
rows=()
while IFS=$'\t' read -r fixture state problems documents says filed; do
  [ -z "$fixture" ] || [ "${fixture:0:1}" = "#" ] && continue
  rows+=("$fixture"$'\t'"$state"$'\t'"$problems"$'\t'"$documents"$'\t'"$says"$'\t'"$filed")
  send_fixture "corpus/$fixture.eml"
done <"$TESTS_DIR/integration/corpus.tsv"
wait_mail "$ADMISSIONS" "${#rows[@]}"
check "the corpus is filed" admitd --once
admitctl list --json >"$WORK/list.json"

sender_of() {
  sed -n 's/^From:.*<\([^>]*\)>.*/\1/p' "$TESTS_DIR/mail/corpus/$1.eml" | sed -n 1p
}
right=0
for row in "${rows[@]}"; do
  IFS=$'\t' read -r fixture state problems documents says filed <<<"$row"
  email=$(applicant "$(sender_of "$fixture")")
  app=$(jq -c --arg e "$email" '.[] | select(.email == $e)' "$WORK/list.json")
  got_state=$(echo "${app:-{\}}" | jq -r '.state // "none"')
  got_problems=$(echo "${app:-{\}}" | jq -r '(.problems // []) | sort | join(",") | if . == "" then "-" else . end')
  got_documents=$(echo "${app:-{\}}" | jq -r '[(.documents // [])[] | "\(.kind):\(.pages)"] | sort | join(",") | if . == "" then "-" else . end')
  before=$FAILURES
  if [ "$filed" != - ]; then
    check "$fixture: filed as $filed" equals "$(sqlite3 "$WORK/state/admitd.db" \
      "SELECT outcome || ':' || coalesce(detail, '') FROM messages WHERE sender = '$email'")" "$filed"
  fi
  if [ "$says" = - ]; then
    settle
    check "$fixture: no reply" equals "$(mail_count "$email")" 0
    [ "$FAILURES" = "$before" ] && right=$((right + 1))
    continue
  fi
  wait_mail "$email" 1 || true
  reply=$(mail_files "$email" | sed -n 1p)
  check "$fixture: state $state" equals "$got_state" "$state"
  check "$fixture: problems $problems" equals "$got_problems" "$problems"
  check "$fixture: documents $documents" equals "$got_documents" "$documents"
  check "$fixture: one reply that says \"$says\"" \
    bash -c "[ \"\$(find '$(maildir "$email")' -type f -path '*/new/*' | wc -l)\" = 1 ] && grep -q '$says' '${reply:-/dev/null}'"
  [ "$FAILURES" = "$before" ] && right=$((right + 1))
done
echo "corpus: $right of ${#rows[@]} messages filed and answered as expected"
check "a signature logo is not stored as a document" \
  equals "$(jq -r --arg e "$(applicant amelie.durand@example.net)" '.[] | select(.email == $e) | .documents | length' "$WORK/list.json")" 2
check "a signature is not stored as a document" \
  equals "$(jq -r --arg e "$(applicant lea.wolf@example.org)" '.[] | select(.email == $e) | .documents | length' "$WORK/list.json")" 2
check "only the applications are filed as such" \
  equals "$(jq length "$WORK/list.json")" "$(grep -c -v -E '^#|	none	' "$TESTS_DIR/integration/corpus.tsv")"
finish
