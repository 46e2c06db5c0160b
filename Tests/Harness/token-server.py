#!/usr/bin/env python3
"""A small Docker registry token realm for swdock's tests.

    token-server.py --state-dir DIR --service NAME --issuer NAME --user USER --password PASSWORD

At start it makes an RSA key and a self-signed certificate (DIR/token.crt, the registry's
`auth.token.rootcertbundle`), listens on 127.0.0.1 on a free port and writes the port to
DIR/token.port once it accepts connections. It serves the token endpoint at /token:

  GET  /token?service=…&scope=…[&scope=…]  with HTTP Basic credentials (Docker's flow)
  POST /token  form grant_type=password (username, password) or grant_type=refresh_token,
               service, scope (the OAuth2 flow containerd uses)

Valid credentials get a JWT (RS256, `kid` in libtrust form, as the distribution registry
wants) granting every requested action; wrong or missing credentials get 401. Requests are
logged to stderr. Python standard library plus `cryptography` (Debian python3-cryptography).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

TOKEN_LIFETIME = 600


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(public_key):
    """The key ID libtrust (and so the distribution registry) derives from a public key."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    text = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(text[i:i + 4] for i in range(0, len(text), 4))


def make_certificate(key, common_name):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


def parse_scope(text):
    """`repository:name:pull,push` → claim; the name may itself contain ':' (host:port/name)."""
    kind, _, rest = text.partition(":")
    name, _, actions = rest.rpartition(":")
    if not kind or not name:
        return None
    return {"type": kind, "name": name, "actions": [a for a in actions.split(",") if a]}


class Realm:
    def __init__(self, key, issuer, service, user, password):
        self.key, self.issuer, self.service = key, issuer, service
        self.user, self.password = user, password
        self.kid = libtrust_key_id(key.public_key())
        self.refresh_tokens = {}
        self.lock = threading.Lock()

    def check(self, user, password):
        return secrets.compare_digest(user.encode(), self.user.encode()) and \
            secrets.compare_digest(password.encode(), self.password.encode())

    def token(self, subject, scopes):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service, "exp": now + TOKEN_LIFETIME,
                  "nbf": now - 10, "iat": now, "jti": secrets.token_hex(16),
                  "access": [c for c in (parse_scope(s) for s in scopes) if c]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def refresh_token_for(self, subject):
        token = secrets.token_hex(24)
        with self.lock:
            self.refresh_tokens[token] = subject
        return token

    def subject_of_refresh_token(self, token):
        with self.lock:
            return self.refresh_tokens.get(token)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    realm = None  # set before serving

    def log_message(self, fmt, *args):
        sys.stderr.write("token-server: %s %s\n" % (self.address_string(), fmt % args))

    def reply(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def unauthorized(self, why):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": why}]},
                   [("WWW-Authenticate", 'Basic realm="swdock-test-token-realm"')])

    def basic_credentials(self):
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user, password

    def grant(self, subject, query, with_refresh_token):
        service = query.get("service", [self.realm.service])[0]
        if service != self.realm.service:
            self.reply(400, {"errors": [{"code": "DENIED", "message": "unknown service %r" % service}]})
            return
        scopes = []
        for value in query.get("scope", []):
            scopes.extend(value.split(" "))  # OAuth2 joins scopes with spaces
        token = self.realm.token(subject, [s for s in scopes if s])
        body = {"token": token, "access_token": token, "expires_in": TOKEN_LIFETIME,
                "issued_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if with_refresh_token:
            body["refresh_token"] = self.realm.refresh_token_for(subject)
        self.reply(200, body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
            return
        credentials = self.basic_credentials()
        if credentials is None:
            self.unauthorized("credentials required")
            return
        if not self.realm.check(*credentials):
            self.unauthorized("wrong user name or password")
            return
        query = urllib.parse.parse_qs(url.query)
        self.grant(credentials[0], query, query.get("offline_token", ["false"])[0] == "true")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": url.path}]})
            return
        grant_type = form.get("grant_type", [""])[0]
        if grant_type == "password":
            user, password = form.get("username", [""])[0], form.get("password", [""])[0]
            if not self.realm.check(user, password):
                self.unauthorized("wrong user name or password")
                return
            self.grant(user, form, True)
        elif grant_type == "refresh_token":
            subject = self.realm.subject_of_refresh_token(form.get("refresh_token", [""])[0])
            if subject is None:
                self.unauthorized("unknown refresh token")
                return
            self.grant(subject, form, False)
        else:
            self.reply(400, {"error": "unsupported_grant_type"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = make_certificate(key, args.issuer)
    cert_path = os.path.join(args.state_dir, "token.crt")
    with open(cert_path + ".tmp", "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    os.rename(cert_path + ".tmp", cert_path)

    Handler.realm = Realm(key, args.issuer, args.service, args.user, args.password)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port_path = os.path.join(args.state_dir, "token.port")
    with open(port_path + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(port_path + ".tmp", port_path)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
