#!/usr/bin/env bash
# --check-config: 0 on a good file; 78 and FILE:LINE: messages on a bad one or a broken template.
. "$(dirname "$0")/lib.sh"

write_config
check "a good configuration passes" admitd --check-config
check "the shipped example passes (with its password files present)" \
  bash -c "sed -e 's#/etc/admitd/#$WORK/#' -e 's#/usr/share/admitd/templates#$TEMPLATES_DIR#' \
    '$TESTS_DIR/../conf/admitd.conf' >'$WORK/example.conf' && echo x >'$WORK/imap.password' &&
    echo x >'$WORK/smtp.password' && '$ADMITD_BIN/admitd' -c '$WORK/example.conf' --check-config"

cp "$WORK/admitd.conf" "$WORK/good.conf"
sed -i 's/period_days = 14;/period_days = "14";/; s/poll_seconds = 5;/poll_seconds = 5; colour = "red";/' "$WORK/admitd.conf"
admitd --check-config 2>"$WORK/stderr" && rc=0 || rc=$?
check "a bad file exits 78" equals "$rc" 78
line=$(grep -n period_days "$WORK/admitd.conf" | cut -d: -f1)
check "wrong type reported with file and line" contains "$WORK/stderr" "^$WORK/admitd.conf:$line: batches.period_days: expected a whole number"
line=$(grep -n colour "$WORK/admitd.conf" | cut -d: -f1)
check "unknown setting reported with file and line" contains "$WORK/stderr" "^$WORK/admitd.conf:$line: imap.colour: unknown setting"

mkdir "$WORK/templates"
cp -r "$TEMPLATES_DIR"/. "$WORK/templates/"
sed -i 's/{{reference}}/{{referense}}/' "$WORK/templates/incomplete.txt"
cp "$WORK/good.conf" "$WORK/admitd.conf"
sed -i "s#dir = \"$TEMPLATES_DIR\"#dir = \"$WORK/templates\"#" "$WORK/admitd.conf"
admitd --check-config 2>"$WORK/stderr" && rc=0 || rc=$?
check "a template with an unknown variable exits 78" equals "$rc" 78
check "the template error names file and line" contains "$WORK/stderr" "templates/incomplete.txt:1: unknown variable {{referense}}"

# A local override may only use what its caller fills: {{batch}} belongs to the digest, not to
# the office's delivery-failure summary, and would stop the daemon (exit 78) at the first
# failure. --check-config refuses it, naming the file and line.
mkdir "$WORK/local"
printf 'Subject: {{programme}}: {{count}} letters failed (batch {{batch}})\n\n{{failures}}\n' \
  >"$WORK/local/delivery-failures.txt"
cp "$WORK/good.conf" "$WORK/admitd.conf"
sed -i "s#dir = \"$TEMPLATES_DIR\"#dir = \"$TEMPLATES_DIR\"; local_dir = \"$WORK/local\"#" "$WORK/admitd.conf"
admitd --check-config 2>"$WORK/stderr" && rc=0 || rc=$?
check "a local template using a variable its caller does not fill exits 78" equals "$rc" 78
check "and names the local file and line" contains "$WORK/stderr" "local/delivery-failures.txt:1: unknown variable {{batch}}"
# A snippet too: the list of missing documents is rendered without the letter's variables.
mkdir "$WORK/local/snippets"
printf -- '- {{name}}, your CV (at most two pages)\n' >"$WORK/local/snippets/missing-cv.txt"
printf 'Subject: {{programme}}: {{count}} letters failed\n\n{{failures}}\n' >"$WORK/local/delivery-failures.txt"
admitd --check-config 2>"$WORK/stderr" && rc=0 || rc=$?
check "a local snippet using a variable its caller does not fill exits 78" equals "$rc" 78
check "and names the snippet" contains "$WORK/stderr" "local/snippets/missing-cv.txt:1: unknown variable {{name}}"
rm -r "$WORK/local"
cp "$WORK/good.conf" "$WORK/admitd.conf"
sed -i "s#dir = \"$TEMPLATES_DIR\"#dir = \"$WORK/templates\"#" "$WORK/admitd.conf"

rm "$WORK/templates/acknowledgement.txt"
admitd --check-config 2>"$WORK/stderr" && rc=0 || rc=$?
check "a missing template exits 78" equals "$rc" 78
check "the missing template is named" contains "$WORK/stderr" "acknowledgement.txt"
finish
