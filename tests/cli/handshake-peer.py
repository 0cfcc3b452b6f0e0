#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Test peers for the snpctl handshake, written from docs/protocol.md with python3-cryptography
(independently of src/handshake.c), for tests/cli/test-handshake.sh. Loopback only.

  owner PORT SECRET_FILE      the owner's side without the chain checks: checks that REPORT_DATA
                              binds its nonce and the agent key, seals the secret, prints the
                              agent's answer ("status=200 delivered")
  poke PORT CASE              one malformed exchange; prints what came back ("status=NNN",
                              "closed")
  stall PORT SECONDS          opens a connection, sends half a request, waits; prints how long
                              the agent kept it open ("closed after N s" / "still open")
  certtable OUT ARK ASK LEAF [vlek]
                              a GHCB certificate table (DER certificates; GUIDs in RFC 4122 byte
                              order) as a host hands it to the guest
  proxy PORT                  a tampering proxy in front of the agent on PORT; prints its own port
                              on stdout, then one line per request on stderr. The owner's URL
                              names what it does: http://127.0.0.1:PROXY/MODE[/OFFSET] with MODE
                              pass, flip (one bit of the report at OFFSET), swapkey, replay
"""
import hashlib
import http.client
import http.server
import os
import socket
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ATTEST = "/snpctl/v1/attest"
SECRET = "/snpctl/v1/secret"
LABEL_RD = b"snpctl-handshake-v1 report-data"
LABEL_KEY = b"snpctl-handshake-v1 secret-key"


def post(port, path, body, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("POST", path, body, {"Content-Type": "application/octet-stream"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def raw(b):
    return b.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def seal(nonce, agent_pub, secret, owner=None):
    owner = owner or X25519PrivateKey.generate()
    owner_pub = raw(owner.public_key())
    shared = owner.exchange(X25519PublicKey.from_public_bytes(agent_pub))
    okm = HKDF(algorithm=hashes.SHA256(), length=44, salt=nonce,
               info=LABEL_KEY + agent_pub + owner_pub).derive(shared)
    ct = AESGCM(okm[:32]).encrypt(okm[32:], secret, nonce + agent_pub + owner_pub)
    return nonce + owner_pub + ct[-16:] + ct[:-16]      # tag before ciphertext


def attest(port):
    nonce = os.urandom(32)
    status, body = post(port, ATTEST, nonce)
    assert status == 200, (status, body)
    assert 1216 <= len(body) <= 17600, len(body)
    pub, report = body[:32], body[32:32 + 1184]
    want = hashlib.sha512(LABEL_RD + nonce + pub).digest()
    assert report[0x50:0x90] == want, "REPORT_DATA does not bind nonce and key"
    return nonce, pub


def owner(port, secret_file):
    nonce, pub = attest(port)
    status, body = post(port, SECRET, seal(nonce, pub, open(secret_file, "rb").read()))
    print(f"status={status} {body.decode(errors='replace').strip()}")


def sock_exchange(port, data, wait=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, BrokenPipeError):
        got = b""
    except socket.timeout:
        return "timeout"
    finally:
        s.close()
    if got.startswith(b"HTTP/1."):
        return "status=" + got.split()[1].decode()
    return "closed"


def poke(port, case):
    if case == "garbage":
        print(sock_exchange(port, os.urandom(3000)))
    elif case == "truncated":
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST " + ATTEST.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n\r\n"
                  + b"0123456789")
        s.close()
        print("sent")
    elif case == "oversized":
        hdr = (b"POST " + SECRET.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sent = 0
        try:
            s.sendall(hdr)
            for _ in range(2000):                   # up to 128 MB; the agent must stop reading
                s.sendall(b"\0" * 65536)
                sent += 65536
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
        s.close()
        print("closed" if sent < 100000000 else f"accepted {sent} bytes")
    elif case == "oversized-chunked":
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sent = 0
        try:
            s.sendall(b"POST " + SECRET.encode() +
                      b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in range(2000):
                s.sendall(b"10000\r\n" + b"\0" * 65536 + b"\r\n")
                sent += 65536
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            pass
        s.close()
        print("closed" if sent < 100000000 else f"accepted {sent} bytes")
    elif case == "short-nonce":
        print("status=%d" % post(port, ATTEST, os.urandom(31))[0])
    elif case == "long-nonce":
        try:
            print("status=%d" % post(port, ATTEST, os.urandom(33))[0])
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            print("closed")
    elif case == "bad-path":
        print("status=%d" % post(port, "/snpctl/v2/attest", os.urandom(32))[0])
    elif case == "get":
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", ATTEST)
        print("status=%d" % c.getresponse().status)
    elif case == "no-session":
        print("status=%d" % post(port, SECRET, os.urandom(200))[0])
    elif case == "bad-tag":
        nonce, pub = attest(port)
        m = bytearray(seal(nonce, pub, b"not the secret"))
        m[64] ^= 1
        print("status=%d" % post(port, SECRET, bytes(m))[0])
    elif case == "other-nonce":
        nonce, pub = attest(port)
        print("status=%d" % post(port, SECRET, seal(os.urandom(32), pub, b"x"))[0])
    elif case == "twice":                            # the key is gone after one attempt
        nonce, pub = attest(port)
        m = bytearray(seal(nonce, pub, b"not the secret"))
        m[-1] ^= 1
        a = post(port, SECRET, bytes(m))[0]
        b = post(port, SECRET, seal(nonce, pub, b"not the secret either"))[0]
        print(f"status={a},{b}")
    elif case == "low-order-key":
        nonce, pub = attest(port)
        m = nonce + bytes(32) + bytes(16) + b"abc"
        print("status=%d" % post(port, SECRET, m)[0])
    elif case == "attest-again":
        attest(port)
        attest(port)
        print("ok")
    else:
        sys.exit(f"unknown case {case}")


def stall(port, seconds):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST " + ATTEST.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Len")
    s.settimeout(float(seconds))
    t = time.monotonic()
    try:
        closed = s.recv(1) == b""
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    print(f"closed after {int(time.monotonic() - t)} s" if closed else "still open")


def proxy(port):
    upstream = int(port)

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            sys.stderr.write("proxy: " + (fmt % args) + "\n")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            sys.stderr.write(f"proxy: {self.path} {len(body)} bytes\n")
            i = self.path.index("/snpctl/")
            path, how = self.path[i:], self.path[1:i].split("/")
            mode, offset = how[0], int(how[1], 0) if len(how) > 1 else 0
            if path == ATTEST and mode == "replay":
                body = os.urandom(32)            # the attacker's own, earlier exchange
            status, data = post(upstream, path, body)
            if path == ATTEST and status == 200:
                data = bytearray(data)
                if mode == "flip":
                    data[32 + offset] ^= 1
                elif mode == "swapkey":
                    data[:32] = raw(X25519PrivateKey.generate().public_key())
                data = bytes(data)
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


GUID = {"ark": "c0b406a4-a803-4952-9743-3fb6014cd0ae", "ask": "4ab7b379-bbac-4fe4-a02f-05aef327c782",
        "vcek": "63da758d-e664-4564-adc5-f4b93be8accd", "vlek": "a8074bc2-a25a-483e-aae6-39c045a0b8a1"}


def certtable(out, ark, ask, leaf, kind="vcek"):
    from cryptography import x509
    certs = []
    for name, path in (("ark", ark), ("ask", ask), (kind, leaf)):
        der = x509.load_pem_x509_certificate(open(path, "rb").read()).public_bytes(
            serialization.Encoding.DER)
        certs.append((bytes.fromhex(GUID[name].replace("-", "")), der))
    off = 24 * (len(certs) + 1)
    table, blobs = b"", b""
    for guid, der in certs:
        table += guid + (off + len(blobs)).to_bytes(4, "little") + len(der).to_bytes(4, "little")
        blobs += der
    open(out, "wb").write(table + bytes(24) + blobs)


def main(argv):
    cmd = argv[1]
    if cmd == "certtable":
        certtable(*argv[2:])
    elif cmd == "owner":
        owner(int(argv[2]), argv[3])
    elif cmd == "poke":
        poke(int(argv[2]), argv[3])
    elif cmd == "stall":
        stall(int(argv[2]), argv[3])
    elif cmd == "proxy":
        proxy(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
