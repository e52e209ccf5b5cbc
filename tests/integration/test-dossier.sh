#!/usr/bin/env bash
# The batch dossier through the stack: the digest carries one PDF instead of a file per
# document: a cover listing the applications, then each letter and CV with every page stamped
# with the reference, the name and "letter 1/1", one bookmark per applicant. Documents that are
# not PDF go beside it as they came and the cover names them. admitctl dossier writes the same
# PDF for the office. poppler's tools read it back as a member's reader would.
. "$(dirname "$0")/lib.sh"

write_config
COMMISSION=commission-$CASE@example.org
for f in complete-application german-application corpus/docx-cv-odt-letter; do
  send_fixture $f.eml
done
wait_mail "$ADMISSIONS" 3
check "applications are filed" admitd --once
ref_of() { admitctl list --json | jq -r --arg e "$1" '.[] | select(.email == $e) | .ref'; }
ANA_REF=$(ref_of "$(applicant ana.sanchez@example.net)")
LENA_REF=$(ref_of "$(applicant lena.mueller@example.org)")
INES_REF=$(ref_of "$(applicant ines.costa@example.com)")
check "three applications" test -n "$ANA_REF" -a -n "$LENA_REF" -a -n "$INES_REF"
admitctl batch close >/dev/null
check "the digest goes out" admitd --once
wait_mail "$COMMISSION" 1
DIGEST=$(mail_files "$COMMISSION" | sed -n 1p)
NAME=$(grep -o 'batch-[0-9]*-dossier\.pdf' "$DIGEST" | sed -n 1p)
BATCH=$(echo "$NAME" | tr -dc 0-9)
check "the digest attaches the dossier ($NAME)" contains "$DIGEST" "filename=\"\?$NAME"
check "and no PDF beside it" bash -c "! grep -q 'filename=\"\?AI4G-[0-9-]*-\(cv\|letter\)\.pdf' '$DIGEST'"
check "Ines's DOCX CV is attached as it came" contains "$DIGEST" "filename=\"\?$INES_REF-cv.docx"
check "and her ODT letter" contains "$DIGEST" "filename=\"\?$INES_REF-letter.odt"
attachment "$DIGEST" "$NAME" >"$WORK/dossier.pdf"
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
text() { pdftotext -q -f "$2" -l "$2" "$1" - | tr -s ' \n' ' '; }

# Cover (1 page), Ana's letter (1) and CV (2), Lena's letter (1) and CV (2); Ines's are beside.
check "cover and every PDF page: 7 pages" equals "$(pages "$WORK/dossier.pdf")" 7
cover=$(text "$WORK/dossier.pdf" 1)
for want in "$ANA_REF" "$LENA_REF" "$INES_REF" "Ana Sánchez" "Lena Müller" "$INES_REF-cv.docx" "$INES_REF-letter.odt"; do
  check "the cover names $want" grep -qF -- "$want" <<<"$cover"
done
stamp() { # PAGE REF WHAT
  local t
  t=$(text "$WORK/dossier.pdf" "$1")
  grep -qF -- "$2" <<<"$t" && grep -qF -- "$3" <<<"$t" || { echo "  page $1: [$t]" >&2; return 1; }
}
check "page 2 is Ana's letter, stamped" stamp 2 "$ANA_REF Ana Sanchez" "letter 1/1"
check "page 3 her CV's first page" stamp 3 "$ANA_REF" "CV 1/2"
check "page 4 its second" stamp 4 "$ANA_REF" "CV 2/2"
check "page 5 Lena's letter" stamp 5 "$LENA_REF Lena Muller" "letter 1/1"
check "page 7 her CV's last page" stamp 7 "$LENA_REF" "CV 2/2"
check "the letter's own text is still there" grep -q "academic commission" <<<"$(text "$WORK/dossier.pdf" 2)"

# The bookmarks: one per applicant, in the batch's order, each with its documents under it.
outline() { /usr/bin/python3 "$TESTS_DIR/integration/pdf-outline.py" "$1"; }
outline "$WORK/dossier.pdf" >"$WORK/outline"
check "one bookmark per applicant" equals "$(grep -c '^[^ ]' "$WORK/outline")" 3
check "Ana's first, to her letter" equals "$(sed -n 1p "$WORK/outline")" "$ANA_REF  Ana Sánchez -> 2"
check "her letter and CV under it" \
  equals "$(sed -n '2,3p' "$WORK/outline" | tr '\n' '|')" "  letter (1 p.) -> 2|  CV (2 p.) -> 3|"
check "Lena's to page 5" equals "$(grep "^$LENA_REF" "$WORK/outline")" "$LENA_REF  Lena Müller -> 5"
check "Ines's, with nothing in the PDF, to the cover" equals "$(grep "^$INES_REF" "$WORK/outline" | sed 's/.* -> //')" 1

# The office's copy.
check "admitctl dossier writes it" admitctl dossier --batch "$BATCH" --out "$WORK/office.pdf"
check "with the same pages" equals "$(pages "$WORK/office.pdf")" 7
check "and the same text" cmp <(pdftotext -q "$WORK/office.pdf" -) <(pdftotext -q "$WORK/dossier.pdf" -)
check "a part the batch does not have is refused" \
  bash -c "! '$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' dossier --batch $BATCH --part 2 --out '$WORK/x.pdf' 2>'$WORK/err'"
check "saying how many it has" contains "$WORK/err" "has 1 part"

# With commission.dossier = false the documents go as separate files, as they came.
COMMISSION_EXTRA='dossier = false;' write_config
admitctl batch resend "$BATCH" >/dev/null
check "the digest goes out again" admitd --once
wait_mail "$COMMISSION" 2
AGAIN=$(mail_files "$COMMISSION" | sed -n 2p)
check "without a dossier" bash -c "! grep -q 'dossier.pdf' '$AGAIN'"
check "Ana's CV as she sent it" cmp <(attachment "$AGAIN" "$ANA_REF-cv.pdf") "$TESTS_DIR/mail/docs-cv.pdf"
finish
