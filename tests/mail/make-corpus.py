#!/usr/bin/env python3
"""Writes tests/mail/corpus/*.eml: applications shaped like what real mail clients send.

Run once when the corpus changes (needs python3 and the qpdf command); the tests use the
committed files, not this script. Each file is named for the case it covers; its expected
outcome is in tests/integration/corpus.tsv."""
import base64, io, os, struct, subprocess, sys, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def pdf(pages, count=None):
    """A real PDF with one text object per page; `count` makes /Count lie."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        page_no = len(objs) + 1
        kids.append(f"{page_no} 0 R")
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_no + 1} 0 R >>")
        text = "BT /F1 12 Tf 72 770 Td 16 TL " + " ".join(f"({l}) '" for l in lines) + " ET"
        objs.append(f"<< /Length {len(text)} >>\nstream\n{text}\nendstream")
    objs[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {count or len(pages)} >>"
    out, offs = "%PDF-1.4\n", []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += f"{i + 1} 0 obj\n{o}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offs)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode()


def qpdf(data, *args):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.pdf"), os.path.join(d, "out.pdf")
        open(src, "wb").write(data)
        subprocess.run(["qpdf", *args, src, dst], check=True)
        return open(dst, "rb").read()


LETTER = [["Dear members of the academic commission,", "I am writing to express my interest",
           "in the Master in AI4Gov.", "Sincerely, the applicant"]]
CV = [["Curriculum Vitae", "Education: MSc Computer Science", "Work experience: 4 years"],
      ["Skills: Python, statistics", "Languages: English, Spanish"]]
CV3 = CV + [["Publications", "Three papers on e-government"]]
LETTER2 = LETTER + [["(continued) and my motivation", "Kind regards"]]


def docx(pages, text):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("docProps/app.xml", f'<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Pages>{pages}</Pages></Properties>')
        paras = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in text)
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{paras}</w:body></w:document>')
    return b.getvalue()


def odt(pages, text):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("meta.xml", f'<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><meta:document-statistic meta:page-count="{pages}"/></office:meta></office:document-meta>')
        paras = "".join(f"<text:p>{t}</text:p>" for t in text)
        z.writestr("content.xml", f'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>{paras}</office:text></office:body></office:document-content>')
    return b.getvalue()


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
OLE = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 504


def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def part(headers, data):
    return headers + "Content-Transfer-Encoding: base64\r\n\r\n" + b64(data) + "\r\n"


def text(body, subtype="plain"):
    return (f"Content-Type: text/{subtype}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"{body}\r\n")


def multipart(subtype, parts, boundary):
    out = f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n"
    for p in parts:
        out += f"--{boundary}\r\n{p}\r\n"
    return out + f"--{boundary}--\r\n"


def message(name, frm, subject, body, extra=""):
    head = (f"From: {frm}\r\nTo: AI4Gov Admissions <admissions@example.org>\r\n"
            f"Subject: {subject}\r\nDate: Mon, 02 Mar 2026 10:15:00 +0100\r\n"
            f"Message-ID: <{name}@corpus.example>\r\nMIME-Version: 1.0\r\n{extra}")
    open(os.path.join(OUT, name + ".eml"), "wb").write((head + body).encode())


def attachment(ctype, filename_param, data, disposition="attachment"):
    return part(f"Content-Type: {ctype}\r\nContent-Disposition: {disposition}; {filename_param}\r\n", data)


def named(ctype, name, data, disposition="attachment"):
    """An attachment whose name is the same in Content-Type and Content-Disposition."""
    return attachment(f'{ctype}; name="{name}"', f'filename="{name}"', data, disposition)


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\0" * 64 + b"\xff\xd9"


def tnef(files, message_class="IPM.Microsoft Mail.Note"):
    """A winmail.dat as Outlook writes one in rich-text mode (MS-OXTNEF): for each (long name,
    8.3 title, data), the attachment's rendering, title and data attributes, then its MAPI
    properties with the long name in UTF-16 (PR_ATTACH_LONG_FILENAME) and its MIME tag."""
    def attr(level, kind, ident, data):
        return (struct.pack("<BII", level, (kind << 16) | ident, len(data)) + data
                + struct.pack("<H", sum(data) & 0xFFFF))

    def prop_string(tag, value):  # one string property: count 1, size, bytes padded to 4
        return struct.pack("<III", tag, 1, len(value)) + value + b"\0" * (-len(value) % 4)

    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += attr(1, 8, 0x9006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += attr(1, 6, 0x9007, struct.pack("<II", 1252, 0))  # attOemCodepage
    out += attr(1, 7, 0x8008, message_class.encode() + b"\0")  # attMessageClass
    for long_name, title, data in files:
        out += attr(2, 6, 0x9002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))  # attAttachRenddata
        out += attr(2, 1, 0x8010, title.encode() + b"\0")  # attAttachTitle
        out += attr(2, 6, 0x800F, data)  # attAttachData
        props = (prop_string(0x3707001F, long_name.encode("utf-16-le") + b"\0\0")
                 + prop_string(0x370E001E, b"application/pdf\0"))
        out += attr(2, 6, 0x9005, struct.pack("<I", 2) + props)  # attAttachment
    return out


def outlook(hello):
    """Outlook in rich-text mode: the documents inside winmail.dat (application/ms-tnef)."""
    body = "Dear admissions office,\r\n\r\nplease find attached my CV and my letter.\r\n"
    message("outlook-winmail-dat", "=?utf-8?q?Luc=C3=ADa_Fern=C3=A1ndez?= <lucia.fernandez@example.com>",
            "Application", multipart("mixed", [text(body),
                named("application/ms-tnef", "winmail.dat",
                      tnef([("Curriculum Vitae Lucía.pdf", "CURRIC~1.PDF", pdf(CV)),
                            ("Carta de motivación.pdf", "CARTAD~1.PDF", pdf(LETTER))]))], "tnf1"),
            "X-Mailer: Microsoft Outlook 16.0\r\nX-MS-Has-Attach: yes\r\nX-MS-TNEF-Correlator: <0001@outlook>\r\n")
    message("outlook-rich-text-question", "Pekka Virtanen <pekka.virtanen@example.net>", "Question",
            multipart("mixed", [text("Hello, is the deadline in March? Thanks."),
                named("application/ms-tnef", "winmail.dat", tnef([]))], "tnf2"),
            "X-Mailer: Microsoft Outlook 16.0\r\n")
    damaged = tnef([("CV.pdf", "CV.PDF", pdf(CV))])
    message("outlook-winmail-damaged", "Jonas Berg <jonas.berg@example.org>", "Application",
            multipart("mixed", [text(hello),
                named("application/ms-tnef", "winmail.dat", damaged[:len(damaged) // 2]),
                named("application/pdf", "letter.pdf", pdf(LETTER))], "tnf3"),
            "X-Mailer: Microsoft Outlook 16.0\r\n")


def machines(hello):
    """Mail that machines send: none of it is answered, each is filed as ignored."""
    docs = [named('application/pdf', 'CV.pdf', pdf(CV)), named('application/pdf', 'letter.pdf', pdf(LETTER))]
    message("mailman-digest", "AI4Gov discussion <ai4gov-discuss@lists.example.org>",
            "ai4gov-discuss Digest, Vol 3, Issue 7",
            text("Send ai4gov-discuss mailing list submissions to ai4gov-discuss@lists.example.org"),
            "X-Mailman-Version: 2.1.39\r\n")
    message("ezmlm-list-message", "Karl Berg <karl.berg@example.net>", "Re: application deadlines",
            multipart("mixed", [text(hello)] + docs, "ezm1"),
            "Mailing-List: contact ai4gov-help@lists.example.org; run by ezmlm\r\n")
    message("list-owner-sender", "List owner <owner-ai4gov@lists.example.org>", "Your message awaits moderator approval",
            text("Your mail to 'ai4gov' with the subject Application is being held."))
    message("list-request-sender", "List server <ai4gov-request@lists.example.org>", "confirm 3b8c1f",
            text("Mailing list subscription confirmation notice."))
    message("list-bounces-sender", "List server <ai4gov-bounces@lists.example.org>", "Application",
            multipart("mixed", [text(hello)] + docs, "bnc1"))
    message("noreply-portal-receipt", "Application Portal <no-reply@portal.example.com>", "Your application receipt",
            multipart("mixed", [text("This is your receipt. Do not reply."),
                                named('application/pdf', 'receipt.pdf', pdf(LETTER))], "nor1"))
    message("do-not-reply-notice", "Notifications <do_not_reply@notify.example.net>", "Notification",
            text("You have a new notification."))
    message("spam-flagged-application", "Best Offer <winner@example.com>", "Application",
            multipart("mixed", [text(hello)] + docs, "spm1"),
            "X-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=12.3\r\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    hello = "Dear admissions office,\r\n\r\nplease find my application attached.\r\n\r\nBest regards\r\n"
    message("gmail-alternative-body", "Maria Lopez <maria.lopez@example.net>", "Application",
            multipart("mixed", [
                multipart("alternative", [text(hello), text("<p>" + hello + "</p>", "html")], "alt1"),
                named('application/pdf', 'CV - Maria Lopez.pdf', pdf(CV)),
                named('application/pdf', 'Cover Letter.pdf', pdf(LETTER)),
            ], "mix1"))
    message("outlook-encoded-words-and-signature-logo", "=?iso-8859-1?q?Am=E9lie_Durand?= <amelie.durand@example.net>",
            "Candidature", multipart("mixed", [
                multipart("related", [text('<p>' + hello + '</p><img src="cid:image001.png@01DA">', "html"),
                                      part('Content-Type: image/png; name="image001.png"\r\nContent-ID: <image001.png@01DA>\r\nContent-Disposition: inline; filename="image001.png"\r\n', PNG)], "rel1"),
                attachment('application/pdf; name="=?iso-8859-1?Q?Lettre_de_motivation_Am=E9lie.pdf?="',
                           'filename="=?iso-8859-1?Q?Lettre_de_motivation_Am=E9lie.pdf?="', pdf(LETTER)),
                named('application/pdf', 'Curriculum_Vitae.pdf', pdf(CV)),
            ], "mix2"))
    message("apple-mail-inline-documents", "Tom Berg <tom.berg@example.com>", "My application",
            multipart("mixed", [text("Hello,"), named('application/pdf', 'Resume.pdf', pdf(CV), "inline"),
                                text(""), named('application/pdf', 'Letter.pdf', pdf(LETTER), "inline"),
                                text("Thanks, Tom")], "mix3"))
    message("thunderbird-rfc2231-estonian", "Kadri Tamm <kadri.tamm@example.com>", "Avaldus",
            multipart("mixed", [text(hello),
                attachment("application/pdf", "filename*0*=UTF-8''Motivatsioonikiri%20Kadri; filename*1*=%20T%C3%A4mm.pdf", pdf(LETTER)),
                attachment("application/pdf", "filename*=UTF-8''elulookirjeldus.pdf", pdf(CV)),
            ], "mix4"))
    message("iphone-octet-stream-uppercase", "Luca Bianchi <luca.bianchi@example.net>", "Domanda",
            multipart("mixed", [text("Inviato da iPhone"),
                named('application/octet-stream', 'CV.PDF', pdf(CV)),
                named('application/octet-stream', 'LETTERA.PDF', pdf(LETTER)),
            ], "mix5"))
    inner = ("From: Nora Quist <nora.quist@example.org>\r\nTo: friend@example.com\r\nSubject: my application\r\n"
             "MIME-Version: 1.0\r\n" + multipart("mixed", [text(hello),
                 named('application/pdf', 'cv.pdf', pdf(CV)),
                 named('application/pdf', 'motivation.pdf', pdf(LETTER))], "inner6"))
    message("forwarded-as-attachment", "Nora Quist <nora.quist@example.org>", "Fwd: my application",
            multipart("mixed", [text("Forwarding my application."),
                                "Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n" + inner], "mix6"))
    message("names-say-nothing-text-decides", "Piet Vos <piet.vos@example.org>", "Application",
            multipart("mixed", [text(hello),
                named('application/pdf', 'document1.pdf', pdf(CV)),
                named('application/pdf', 'document2.pdf', pdf(LETTER)),
            ], "mix7"))
    message("docx-cv-odt-letter", "Ines Costa <ines.costa@example.com>", "Application",
            multipart("mixed", [text(hello),
                named('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'CV_Ines.docx',
                      docx(2, ["Curriculum Vitae", "Education", "Work experience"])),
                named('application/vnd.oasis.opendocument.text', 'carta.odt',
                      odt(1, ["Estimados miembros de la comision:", "Les escribo para expresar mi interes."])),
            ], "mix8"))
    message("legacy-word-doc-cv", "Hugo Brandt <hugo.brandt@example.org>", "Bewerbung",
            multipart("mixed", [text(hello),
                named('application/msword', 'Lebenslauf.doc', OLE),
                named('application/pdf', 'Anschreiben.pdf', pdf(LETTER)),
            ], "mix9"))
    message("encrypted-pdf-cv", "Sara Lind <sara.lind@example.net>", "Application",
            multipart("mixed", [text(hello),
                named('application/pdf', 'CV.pdf', qpdf(pdf(CV), "--encrypt", "secret", "owner", "256", "--")),
                named('application/pdf', 'letter.pdf', pdf(LETTER)),
            ], "mix10"))
    message("too-long-cv-and-letter", "Omar Haddad <omar.haddad@example.com>", "Application",
            multipart("mixed", [text(hello),
                named('application/pdf', 'CV.pdf', pdf(CV3)),
                named('application/pdf', 'Motivation letter.pdf', pdf(LETTER2)),
            ], "mix11"))
    message("lying-page-count", "Eva Novak <eva.novak@example.org>", "Application",
            multipart("mixed", [text(hello),
                named('application/pdf', 'cv.pdf', pdf(CV3, count=1)),
                named('application/pdf', 'letter.pdf', pdf(LETTER)),
            ], "mix12"))
    message("object-streams-pdf", "Jan Kowalski <jan.kowalski@example.com>", "Application",
            multipart("mixed", [text(hello),
                named('application/pdf', 'cv.pdf', qpdf(pdf(CV), "--object-streams=generate")),
                named('application/pdf', 'letter.pdf', qpdf(pdf(LETTER), "--object-streams=generate")),
            ], "mix13"))
    message("damaged-pdf", "Rui Alves <rui.alves@example.net>", "Application",
            multipart("mixed", [text(hello),
                named('application/pdf', 'CV.pdf', b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog"),
                named('application/pdf', 'letter.pdf', pdf(LETTER)),
            ], "mix14"))
    message("question-without-documents", "Yuki Sato <yuki.sato@example.com>", "Question about admission",
            "Content-Type: text/plain; charset=utf-8\r\n\r\nHello, what documents do I need to apply? Thank you.\r\n")
    message("calendar-invite-with-documents", "Ana Petrova <ana.petrova@example.org>", "Application and meeting",
            multipart("mixed", [text(hello),
                part('Content-Type: text/calendar; method=REQUEST; name="invite.ics"\r\nContent-Disposition: attachment; filename="invite.ics"\r\n', b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
                named('application/pdf', 'CV.pdf', pdf(CV)),
                named('application/pdf', 'letter.pdf', pdf(LETTER)),
            ], "mix15"))
    machines(hello)
    outlook(hello)
    signed = multipart("mixed", [text(hello),
                                 named('application/pdf', 'CV.pdf', pdf(CV)),
                                 named('application/pdf', 'letter.pdf', pdf(LETTER))], "smi2")
    message("smime-signed-application", "Lea Wolf <lea.wolf@example.org>", "Application",
            multipart('signed; protocol="application/pkcs7-signature"; micalg=sha-256', [
                signed,
                named('application/pkcs7-signature', 'smime.p7s', b"0\x82\x05\x00fake-cms-signature"),
            ], "smi1"))
    message("pgp-signature-only", "Finn Ahl <finn.ahl@example.net>", "Question",
            multipart('signed; protocol="application/pgp-signature"; micalg=pgp-sha256', [
                text("Hello, can I still apply this year?"),
                "Content-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
                "Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n"
                "-----BEGIN PGP SIGNATURE-----\r\niQEzBAEBCAAdFiEE\r\n-----END PGP SIGNATURE-----\r\n",
            ], "pgp1"))
    message("octet-stream-with-content-id", "Mia Roth <mia.roth@example.com>", "Application",
            multipart("mixed", [text(hello),
                part('Content-Type: application/octet-stream; name="CV.pdf"\r\nContent-ID: <cv@mia>\r\n', pdf(CV)),
                part('Content-Type: application/octet-stream; name="Letter.pdf"\r\nContent-ID: <letter@mia>\r\n', pdf(LETTER)),
            ], "oct1"))
    message("scanned-jpg-cv-inline", "Ali Demir <ali.demir@example.net>", "Application",
            multipart("related", [text('<p>' + hello + '</p>', "html"),
                part('Content-Type: image/jpeg; name="cv_scan.jpg"\r\nContent-ID: <scan1@phone>\r\nContent-Disposition: inline; filename="cv_scan.jpg"\r\n', JPEG),
                named('application/pdf', 'letter.pdf', pdf(LETTER)),
            ], "jpg1"))


if __name__ == "__main__":
    if len(sys.argv) > 1:  # write the corpus elsewhere (to compare, or to add one file)
        OUT = sys.argv[1]
    main()
