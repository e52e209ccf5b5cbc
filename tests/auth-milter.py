#!/usr/bin/python3
"""The test stack's stand-in for what a university's mail server does to incoming mail before
admitd reads it (RFC 8601 section 5): every Authentication-Results header that claims our
authserv-id (mx.admitd.test) is removed, whoever wrote it, and one of our own is added on top.
Those of other servers stay, as they do in production.

Our verdicts stand for DKIM and DMARC as a real verifier would give them, from what this test
server knows: mail submitted with SMTP AUTH is signed by the login's domain (dkim=pass
header.d=<login domain>); DMARC passes when the From domain is that domain and fails otherwise;
mail that arrived without AUTH (the MX port) is unsigned (dkim=none, dmarc=none).

    auth-milter.py SOCKET PIDFILE      (SOCKET as libmilter spells it: unix:/path)
"""
import email.utils
import os
import sys

import Milter

AUTHSERV_ID = "mx.admitd.test"


def domain_of(address):
    _, addr = email.utils.parseaddr(address or "")
    return addr.rpartition("@")[2].lower() if "@" in addr else ""


class AuthResults(Milter.Base):
    # Every message of a connection starts at MAIL FROM: its state is set there, once.
    @Milter.noreply
    def envfrom(self, mailfrom, *params):
        self.login = self.getsymval("{auth_authen}")
        self.from_domain = ""
        self.index = 0  # Authentication-Results headers seen so far
        self.ours = []  # the indexes of those that claim our authserv-id
        return Milter.CONTINUE

    @Milter.noreply
    def header(self, name, value):
        lower = name.lower()
        if lower == "authentication-results":
            self.index += 1
            authserv = value.split(";", 1)[0].strip().split()
            if authserv and authserv[0].lower() == AUTHSERV_ID:
                self.ours.append(self.index)
        elif lower == "from" and not self.from_domain:
            self.from_domain = domain_of(value)
        return Milter.CONTINUE

    def verdict(self):
        if not self.login:
            return f"{AUTHSERV_ID}; dkim=none; dmarc=none header.from={self.from_domain or 'none'}"
        signer = domain_of(self.login)
        dmarc = "pass" if signer and signer == self.from_domain else "fail"
        return (f"{AUTHSERV_ID}; auth=pass smtp.auth={self.login}; "
                f"dkim=pass header.d={signer} header.i=@{signer}; "
                f"dmarc={dmarc} header.from={self.from_domain or 'none'}")

    def eom(self):
        # Indexes count the headers of that name from 1; deleting from the last keeps the
        # others' indexes valid.
        for index in reversed(self.ours):
            self.chgheader("Authentication-Results", index, "")
        self.addheader("Authentication-Results", self.verdict(), 0)
        return Milter.ACCEPT


def main():
    socket, pidfile = sys.argv[1], sys.argv[2]
    with open(pidfile, "w") as f:
        f.write(f"{os.getpid()}\n")
    Milter.factory = AuthResults
    Milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS)
    Milter.runmilter("admitd-test-auth", socket, 60)


if __name__ == "__main__":
    main()
