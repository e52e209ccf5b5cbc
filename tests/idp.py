#!/usr/bin/python3
"""The test stack's OAuth2 identity provider, on loopback over TLS: what Microsoft's or Google's
token service does for a mailbox, small enough to read. Dovecot asks it whether a bearer token
is good (RFC 7662 introspection) for IMAP and, through Dovecot SASL, for Postfix's SMTP AUTH.

    idp.py PORT CERT KEY PIDFILE PASSWORD_FILE

Clients are registered by the tests (POST /admin/client: client_id, client_secret, mailbox,
access_seconds). Endpoints:
  POST /token        grant_type client_credentials (client_id + client_secret), refresh_token
                     (rotated on every use: the old one stops working), device_code (RFC 8628:
                     authorization_pending, slow_down, access_denied, expired_token) and
                     authorization_code (PKCE S256 required); errors as RFC 6749 5.2 JSON
  POST /devicecode   RFC 8628 device authorization: device_code, user_code, verification_uri
  POST /device       the person: user_code, username, password (DIR/password), approve=yes|no
  GET  /authorize    the person signing in for the code grant: the usual query plus username and
                     password; answers 302 to redirect_uri with code and state
  POST /introspect   token -> {"active": true, "username": mailbox} or {"active": false}
  POST /admin/expire every access token issued so far stops working (as after its expiry)
  POST /admin/revoke every refresh token (and access token) stops working
  GET  /admin/stats  grants issued by kind, introspections (and how many found the token
                     inactive: a login the server refused), and every token issued (so that
                     the tests can look for them where they must not be)
"""
import base64
import hashlib
import json
import os
import secrets
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
LOCK = threading.Lock()
STATE = {
    "clients": {},  # client_id -> {secret, mailbox, access_seconds}
    "access": {},  # token -> {mailbox, expires}
    "refresh": {},  # token -> {client_id, mailbox}
    "devices": {},  # device_code -> {client_id, user_code, status, expires, last_poll, interval}
    "codes": {},  # code -> {client_id, redirect_uri, challenge, mailbox}
    "grants": {},
    "introspections": 0,
    "inactive": 0,  # introspections answered {"active": false}: a server refused a login
    "issued": [],
}


def new_token(prefix):
    return prefix + secrets.token_urlsafe(24)


class Handler(BaseHTTPRequestHandler):
    server_version = "admitd-test-idp"

    def log_message(self, fmt, *args):
        sys.stderr.write("idp: " + (fmt % args) + "\n")

    def reply(self, code, body, headers=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, error, description):
        self.reply(code, {"error": error, "error_description": description})

    def form(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n).decode()
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        with LOCK:
            if url.path == "/admin/stats":
                return self.reply(200, {"grants": STATE["grants"],
                                        "introspections": STATE["introspections"],
                                        "inactive": STATE["inactive"],
                                        "issued": STATE["issued"]})
            if url.path == "/authorize":
                return self.authorize(query)
        self.error(404, "not_found", url.path)

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        f = self.form()
        with LOCK:
            handler = {
                "/token": self.token,
                "/devicecode": self.devicecode,
                "/device": self.device,
                "/introspect": self.introspect,
                "/admin/client": self.admin_client,
                "/admin/expire": self.admin_expire,
                "/admin/revoke": self.admin_revoke,
            }.get(path)
            if handler is None:
                return self.error(404, "not_found", path)
            return handler(f)

    # -- the person ---------------------------------------------------------------------------

    def person_ok(self, username, password):
        with open(self.server.password_file) as f:
            return password == f.read().strip() and username != ""

    def device(self, f):
        for d in STATE["devices"].values():
            if d["user_code"] == f.get("user_code", "").upper():
                if not self.person_ok(f.get("username", ""), f.get("password", "")):
                    return self.error(403, "access_denied", "wrong username or password")
                d["status"] = "approved" if f.get("approve", "yes") == "yes" else "denied"
                d["mailbox"] = f["username"]
                return self.reply(200, {"status": d["status"]})
        self.error(400, "invalid_request", "no such code")

    def authorize(self, q):
        client = STATE["clients"].get(q.get("client_id", ""))
        if client is None or q.get("response_type") != "code":
            return self.error(400, "invalid_request", "unknown client or response_type")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return self.error(400, "invalid_request", "PKCE S256 is required")
        if not self.person_ok(q.get("username", ""), q.get("password", "")):
            return self.error(403, "access_denied", "wrong username or password")
        code = new_token("code-")
        STATE["codes"][code] = {"client_id": q["client_id"], "redirect_uri": q.get("redirect_uri"),
                                "challenge": q["code_challenge"], "mailbox": q["username"]}
        sep = "&" if "?" in q.get("redirect_uri", "") else "?"
        location = q.get("redirect_uri", "") + sep + urllib.parse.urlencode(
            {"code": code, "state": q.get("state", "")})
        self.reply(302, {}, {"Location": location})

    # -- the client ---------------------------------------------------------------------------

    def client_ok(self, f, need_secret):
        c = STATE["clients"].get(f.get("client_id", ""))
        if c is None:
            return None
        if (need_secret or c["secret"]) and f.get("client_secret", "") != c["secret"]:
            return None
        return c

    def count(self, grant):
        STATE["grants"][grant] = STATE["grants"].get(grant, 0) + 1

    def issue(self, client, mailbox, with_refresh, client_id):
        access = new_token("at-")
        STATE["access"][access] = {"mailbox": mailbox,
                                   "expires": time.time() + client["access_seconds"]}
        STATE["issued"].append(access)
        body = {"token_type": "Bearer", "access_token": access,
                "expires_in": client["access_seconds"], "scope": client.get("scope", "mail")}
        if with_refresh:
            refresh = new_token("rt-")
            STATE["refresh"][refresh] = {"client_id": client_id, "mailbox": mailbox}
            STATE["issued"].append(refresh)
            body["refresh_token"] = refresh
        return body

    def token(self, f):
        grant = f.get("grant_type", "")
        if grant == "client_credentials":
            c = self.client_ok(f, True)
            if c is None:
                return self.error(401, "invalid_client", "AADSTS7000215: Invalid client secret")
            if not f.get("scope"):
                return self.error(400, "invalid_scope", "scope is required")
            self.count(grant)
            return self.reply(200, self.issue(c, c["mailbox"], False, f["client_id"]))
        if grant == "refresh_token":
            c = self.client_ok(f, False)
            r = STATE["refresh"].get(f.get("refresh_token", ""))
            if c is None:
                return self.error(401, "invalid_client", "unknown client")
            if r is None or r["client_id"] != f["client_id"]:
                return self.error(400, "invalid_grant",
                                  "AADSTS70008: The refresh token has expired or been revoked")
            del STATE["refresh"][f["refresh_token"]]  # rotation: the old one is spent
            self.count(grant)
            return self.reply(200, self.issue(c, r["mailbox"], True, f["client_id"]))
        if grant == DEVICE_GRANT:
            return self.device_token(f)
        if grant == "authorization_code":
            return self.code_token(f)
        self.error(400, "unsupported_grant_type", grant)

    def device_token(self, f):
        c = self.client_ok(f, False)
        d = STATE["devices"].get(f.get("device_code", ""))
        if c is None or d is None or d["client_id"] != f["client_id"]:
            return self.error(400, "invalid_grant", "unknown device_code")
        now = time.time()
        if now > d["expires"]:
            return self.error(400, "expired_token", "the code has expired")
        if d["status"] == "denied":
            return self.error(400, "access_denied", "the person said no")
        if now - d["last_poll"] < d["interval"] - 0.2:
            d["last_poll"] = now
            return self.error(400, "slow_down", "polled too fast")
        d["last_poll"] = now
        if d["status"] != "approved":
            return self.error(400, "authorization_pending", "waiting for the person")
        del STATE["devices"][f["device_code"]]
        self.count("device_code")
        return self.reply(200, self.issue(c, d["mailbox"], True, f["client_id"]))

    def code_token(self, f):
        c = self.client_ok(f, False)
        code = STATE["codes"].pop(f.get("code", ""), None)
        if c is None or code is None or code["client_id"] != f["client_id"] or \
                code["redirect_uri"] != f.get("redirect_uri"):
            return self.error(400, "invalid_grant", "unknown code or redirect_uri")
        digest = hashlib.sha256(f.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != code["challenge"]:
            return self.error(400, "invalid_grant", "code_verifier does not match")
        self.count("authorization_code")
        return self.reply(200, self.issue(c, code["mailbox"], True, f["client_id"]))

    def devicecode(self, f):
        if f.get("client_id", "") not in STATE["clients"]:
            return self.error(400, "invalid_client", "unknown client")
        code = new_token("dc-")
        user_code = secrets.token_hex(2).upper() + "-" + secrets.token_hex(2).upper()
        STATE["devices"][code] = {"client_id": f["client_id"], "user_code": user_code,
                                  "status": "pending", "expires": time.time() + 120,
                                  "last_poll": 0, "interval": 1}
        port = self.server.server_address[1]
        self.reply(200, {"device_code": code, "user_code": user_code,
                         "verification_uri": "https://127.0.0.1:%d/device" % port,
                         "expires_in": 120, "interval": 1})

    # -- Dovecot ------------------------------------------------------------------------------

    def introspect(self, f):
        STATE["introspections"] += 1
        a = STATE["access"].get(f.get("token", ""))
        if a is None or time.time() > a["expires"]:
            STATE["inactive"] += 1
            return self.reply(200, {"active": False})
        self.reply(200, {"active": True, "username": a["mailbox"], "exp": int(a["expires"])})

    # -- the tests ----------------------------------------------------------------------------

    def admin_client(self, f):
        STATE["clients"][f["client_id"]] = {"secret": f.get("client_secret", ""),
                                            "mailbox": f.get("mailbox", ""),
                                            "access_seconds": int(f.get("access_seconds", 3600))}
        self.reply(200, {"ok": True})

    def admin_expire(self, f):
        for a in STATE["access"].values():
            a["expires"] = 0
        self.reply(200, {"ok": True})

    def admin_revoke(self, f):
        STATE["refresh"].clear()
        STATE["access"].clear()
        self.reply(200, {"ok": True})


def main():
    port, cert, key, pidfile, password_file = sys.argv[1:6]
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.password_file = password_file
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(pidfile, "w") as f:
        f.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main()
