#!/usr/bin/env bash
# Fails when systemd-analyze scores the unit's exposure above the limit.
#   systemd-security.sh SYSTEMD-ANALYZE UNIT-FILE LIMIT
set -euo pipefail
analyze=$1 unit=$2 limit=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A template unit is scored as an instance of it.
name=$(basename "$unit")
[[ $name == *@.service ]] && name=${name%@.service}@ai4gov.service
cp "$unit" "$tmp/$name"
line=$("$analyze" security --offline=true "$tmp/$name" 2>&1 | grep 'Overall exposure level')
echo "$line"
score=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
awk -v s="$score" -v l="$limit" 'BEGIN { exit !(s != "" && s <= l) }' ||
  { echo "exposure $score is above $limit" >&2; exit 1; }
echo "1 passed, 0 failed"
