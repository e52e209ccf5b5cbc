#!/usr/bin/env python3
"""Writes N applications of deadline size into DIR, our own, made here: each a mail from
NAME<i>-CASE@example.net to TO with a one-page letter of interest and a two-page CV of about
300 KB (a scanned photo's worth of incompressible bytes in the PDF), as a programme office
sees them the week a call closes.

Usage: make-large-applications.py DIR N NAME CASE TO"""
import importlib.util
import os
import sys
from email.message import EmailMessage

_spec = importlib.util.spec_from_file_location(
    "hostile", os.path.join(os.path.dirname(__file__), "..", "hostile", "make-hostile-docs.py"))
_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_hostile)


def document(title, pages, padding):
    """A PDF of `pages` pages saying `title`, carrying `padding` bytes of noise in an image that
    its first page shows (so that rewriting the PDF keeps it, as it would a scan)."""
    kids = " ".join("%d 0 R" % (4 + 2 * p) for p in range(pages))
    image = 4 + 2 * pages
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids.encode(), pages),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for p in range(pages):
        text = b"BT /F1 14 Tf 72 720 Td (%s, page %d) Tj ET" % (title.encode(), p + 1)
        if p == 0:
            text += b" q 20 0 0 20 500 760 cm /Im1 Do Q"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 %d 0 R >> >> "
                       b"/Contents %d 0 R >>" % (image, 5 + 2 * p))
        objects.append(_hostile.stream(b"", text))
    objects.append(_hostile.stream(b"/Type /XObject /Subtype /Image /Width 1 /Height 1 "
                                   b"/ColorSpace /DeviceGray /BitsPerComponent 8",
                                   os.urandom(padding)))
    return _hostile.pdf(objects)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    out, n, name, case, to = sys.argv[1], int(sys.argv[2]), *sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    for i in range(1, n + 1):
        sender = "%s%d-%s@example.net" % (name, i, case)
        m = EmailMessage()
        m["From"] = "Applicant %d <%s>" % (i, sender)
        m["To"], m["Subject"] = to, "Application"
        m["Message-ID"] = "<%s-%d-%s@example.net>" % (name, i, case)
        m.set_content("Dear admissions office,\n\nplease find my application attached.\n")
        m.add_attachment(document("Letter of interest %d" % i, 1, 20000), maintype="application",
                         subtype="pdf", filename="Letter of interest.pdf")
        m.add_attachment(document("Curriculum Vitae %d" % i, 2, 300000), maintype="application",
                         subtype="pdf", filename="CV.pdf")
        with open(os.path.join(out, "%s%d.eml" % (name, i)), "wb") as f:
            f.write(m.as_bytes())


if __name__ == "__main__":
    main()
