#!/usr/bin/env bash
# A change nobody confirmed is not made: a mail with a forged From (Bob's address, a junk CV, a
# new name) changes nothing; Bob is asked to confirm, and only his reply to that letter makes
# the change. A new CV sent in our thread (a reply to our acknowledgement) counts at once.
. "$(dirname "$0")/lib.sh"

write_config
BOB=$(applicant bob.brown@example.net)
db() { sqlite3 "$WORK/state/admitd.db" "$1"; }
application() { # FROM-HEADER MESSAGE-ID EXTRA-HEADERS CV-TEXT: a letter and a CV
  /usr/bin/python3 - "$@" <<'PY'
import base64, sys
frm, mid, extra, cv = sys.argv[1:5]
def pdf(text):
    s = f"BT /F1 12 Tf 72 770 Td ({text}) Tj ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
            f"<< /Length {len(s)} >>\nstream\n{s}\nendstream"]
    out, offs = "%PDF-1.4\n", []
    for i, o in enumerate(objs):
        offs.append(len(out)); out += f"{i + 1} 0 obj\n{o}\nendobj\n"
    x = len(out)
    out += f"xref\n0 6\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offs)
    out += f"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n"
    return base64.encodebytes(out.encode()).decode().replace("\n", "\r\n")
parts = [("CV.pdf", "Curriculum Vitae " + cv), ("Letter.pdf", "Dear commission, I am writing to express my interest. Sincerely")]
body = "".join(f"--b\r\nContent-Type: application/pdf; name=\"{n}\"\r\nContent-Disposition: attachment; filename=\"{n}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf(t)}" for n, t in parts)
sys.stdout.write(f"From: {frm}\r\nTo: admissions\r\nSubject: Application\r\nMessage-ID: <{mid}>\r\n{extra}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nPlease find my application attached.\r\n{body}--b--\r\n")
PY
}
bob_cv() { db "SELECT sha256 FROM documents WHERE kind = 'cv' AND superseded = 0"; }
bob_name() { db "SELECT name FROM applicants WHERE email = '$BOB'"; }

application "Bob Brown <$BOB>" bob-1@example.net "" "of Bob" >"$WORK/bob.eml"
send_file "$BOB" "$WORK/bob.eml"
wait_mail "$ADMISSIONS" 1
check "Bob's application is filed" admitd --once
settle
wait_mail "$BOB" 1
ack=$(mail_files "$BOB" | sed -n 1p)
cv_before=$(bob_cv)

# Mallory, through the MX port (no login), as Bob, with a junk CV and another name.
application "Mallory <$BOB>" forged-1@example.org "" "junk" >"$WORK/forged.eml"
send_mx "$BOB" "$WORK/forged.eml"
wait_mail "$ADMISSIONS" 1
check "the forged mail is filed" admitd --once
settle
check "it does not replace Bob's CV" equals "$(bob_cv)" "$cv_before"
check "nor rename him" equals "$(bob_name)" "Bob Brown"
check "its CV is kept on record, unused (its letter is Bob's own: nothing new)" \
  equals "$(db "SELECT count(*) FROM documents WHERE superseded = 1")" 1
wait_mail "$BOB" 2
confirm=$(grep -l "please confirm the change" $(mail_files "$BOB") | head -1)
check "Bob is asked to confirm" test -n "$confirm"
check "nobody is told the application was updated" bash -c "! grep -l 'has been updated' $(mail_files "$BOB" | tr '\n' ' ')"

# Bob's reply to the confirm letter applies it.
printf 'From: Bob Brown <%s>\r\nTo: %s\r\nSubject: Re: confirm\r\nMessage-ID: <bob-confirm@example.net>\r\nIn-Reply-To: %s\r\n\r\nYes.\r\n' \
  "$BOB" "$ADMISSIONS" "$(header "$confirm" Message-ID)" >"$WORK/yes.eml"
send_file "$BOB" "$WORK/yes.eml"
wait_mail "$ADMISSIONS" 1
check "Bob's confirmation is filed" admitd --once
settle
check "now the new CV counts" test "$(bob_cv)" != "$cv_before"
check "and the name is the one Bob's own reply carries" equals "$(bob_name)" "Bob Brown"
wait_mail "$BOB" 3
check "and Bob is told it was updated" bash -c "grep -l 'has been updated' $(mail_files "$BOB" | tr '\n' ' ') >/dev/null"

# In our thread: a reply to the acknowledgement with another CV counts at once.
cv_confirmed=$(bob_cv)
application "Bob Brown <$BOB>" bob-2@example.net "In-Reply-To: $(header "$ack" Message-ID)"$'\r\n' "version 3" >"$WORK/bob2.eml"
send_file "$BOB" "$WORK/bob2.eml"
wait_mail "$ADMISSIONS" 1
check "a CV sent in our thread is filed" admitd --once
settle
check "and replaces the CV at once" test "$(bob_cv)" != "$cv_confirmed"
check "without a confirmation" equals "$(grep -l 'please confirm the change' $(mail_files "$BOB") | wc -l)" 1
check "the history tells the story" bash -c "admitctl_out=\$('$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' history \$('$ADMITD_BIN/admitctl' -c '$WORK/admitd.conf' list --json | jq -r '.[0].ref')); grep -q change-held <<<\"\$admitctl_out\" && grep -q change-confirmed <<<\"\$admitctl_out\""
finish
