#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Test peers for the snpctl handshake, written from docs/protocol.md with python3-cryptography
(independently of src/handshake.c), for tests/cli/test-handshake.sh. Loopback only.

  owner PORT SECRET_FILE KEY  the owner's side without the chain checks: checks that REPORT_DATA
                              binds its nonce and the agent key, seals the secret, signs it with
                              the P-384 owner key KEY (PEM), prints the agent's answer
                              ("status=200 delivered")
  digest KEY                  the owner key digest of KEY (SHA-384 of its SEV public-key form)
  v1 PORT                     a protocol version 1 client: prints the status of its attest request
  vector                      prints the known-answer message of tests/unit/test-handshake.c
  poke PORT CASE [KEY]        one malformed exchange; prints what came back ("status=NNN",
                              "closed"); KEY is the owner key for the cases that need one
  stall PORT SECONDS          opens a connection, sends half a request, waits; prints how long
                              the agent kept it open ("closed after N s" / "still open")
  trickle PORT SECONDS        sends one header line a second (never idle); prints how long the
                              agent kept the connection
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
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ATTEST = "/snpctl/v2/attest"
SECRET = "/snpctl/v2/secret"
LABEL_RD = b"snpctl-handshake-v2 report-data"
LABEL_KEY = b"snpctl-handshake-v2 secret-key"
LABEL_SIG = b"snpctl-handshake-v2 owner-signature"


def post(port, path, body, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("POST", path, body, {"Content-Type": "application/octet-stream"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def raw(b):
    return b.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def le72(n):
    return n.to_bytes(72, "little")


def sev_point(key):
    """qx || qy of a P-384 key, each 72 bytes little-endian (SNP ABI key format)."""
    pn = key.public_key().public_numbers() if hasattr(key, "public_key") else key.public_numbers()
    return le72(pn.x) + le72(pn.y)


def owner_digest(key):
    """SHA-384 of the 0x404-byte SEV public-key structure: curve 2, qx, qy, zero."""
    return hashlib.sha384((2).to_bytes(4, "little") + sev_point(key) + bytes(0x404 - 0x94)).digest()


def load_key(path):
    return serialization.load_pem_private_key(open(path, "rb").read(), password=None)


def seal(nonce, agent_pub, secret, owner_key, eph=None, sig_key=None):
    """The v2 secret request: nonce, ephemeral key, owner key, signature, tag, ciphertext.
    sig_key (default owner_key) signs: another key models a forger who puts the owner's public
    key in the message."""
    eph = eph or X25519PrivateKey.generate()
    eph_pub = raw(eph.public_key())
    shared = eph.exchange(X25519PublicKey.from_public_bytes(agent_pub))
    okm = HKDF(algorithm=hashes.SHA256(), length=44, salt=nonce,
               info=LABEL_KEY + agent_pub + eph_pub).derive(shared)
    ct = AESGCM(okm[:32]).encrypt(okm[32:], secret, nonce + agent_pub + eph_pub)
    head, tag, body = nonce + eph_pub + sev_point(owner_key), ct[-16:], ct[:-16]
    der = (sig_key or owner_key).sign(LABEL_SIG + agent_pub + head + tag + body,
                                      ec.ECDSA(hashes.SHA384()))
    r, s = decode_dss_signature(der)
    return head + le72(r) + le72(s) + tag + body


def attest(port):
    nonce = os.urandom(32)
    status, body = post(port, ATTEST, nonce)
    assert status == 200, (status, body)
    assert 1216 <= len(body) <= 17600, len(body)
    pub, report = body[:32], body[32:32 + 1184]
    want = hashlib.sha512(LABEL_RD + nonce + pub).digest()
    assert report[0x50:0x90] == want, "REPORT_DATA does not bind nonce and key"
    return nonce, pub


def owner(port, secret_file, key_file):
    nonce, pub = attest(port)
    status, body = post(port, SECRET, seal(nonce, pub, open(secret_file, "rb").read(),
                                           load_key(key_file)))
    print(f"status={status} {body.decode(errors='replace').strip()}")


def v1(port):
    """What a protocol version 1 owner sends first."""
    status, _ = post(port, "/snpctl/v1/attest", os.urandom(32))
    print(f"status={status}")


# The inputs of tests/unit/test-handshake.c's known answer: agent X25519 private key 40..5f,
# ephemeral owner key 80..9f, nonce 00..1f, owner P-384 scalar c0..ef, the secret below.
VECTOR_SECRET = b"disk key 0123456789"


def vector():
    agent = X25519PrivateKey.from_private_bytes(bytes(range(0x40, 0x60)))
    eph = X25519PrivateKey.from_private_bytes(bytes(range(0x80, 0xa0)))
    nonce = bytes(range(32))
    owner_key = ec.derive_private_key(int.from_bytes(bytes(range(0xc0, 0xf0)), "big"),
                                      ec.SECP384R1())
    msg = seal(nonce, raw(agent.public_key()), VECTOR_SECRET, owner_key, eph)
    print("pem", owner_key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode().replace("\n", "|"))
    print("digest", owner_digest(owner_key).hex())
    print("msg", msg.hex())


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


def poke(port, case, key_file=None):
    key = load_key(key_file) if key_file else ec.generate_private_key(ec.SECP384R1())
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
        print("status=%d" % post(port, "/snpctl/v3/attest", os.urandom(32))[0])
    elif case == "get":
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", ATTEST)
        print("status=%d" % c.getresponse().status)
    elif case == "no-session":
        print("status=%d" % post(port, SECRET, os.urandom(400))[0])
    elif case == "bad-tag":                          # signed by the owner, tag broken
        nonce, pub = attest(port)
        print("status=%d" % post(port, SECRET, corrupt_signed(nonce, pub, key, -1))[0])
    elif case == "other-nonce":
        nonce, pub = attest(port)
        print("status=%d" % post(port, SECRET, seal(os.urandom(32), pub, b"x", key))[0])
    elif case == "twice":                            # the key is gone after one signed attempt
        nonce, pub = attest(port)
        a = post(port, SECRET, corrupt_signed(nonce, pub, key, -1))[0]
        b = post(port, SECRET, seal(nonce, pub, b"not the secret either", key))[0]
        print(f"status={a},{b}")
    elif case == "low-order-key":                    # signed, but the ephemeral key is zero
        nonce, pub = attest(port)
        m = bytearray(seal(nonce, pub, b"abc", key))
        m[32:64] = bytes(32)
        print("status=%d" % post(port, SECRET, resign(bytes(m), pub, key))[0])
    elif case == "other-key":                        # a well-formed secret from another key
        nonce, pub = attest(port)
        other = ec.generate_private_key(ec.SECP384R1())
        print("status=%d" % post(port, SECRET, seal(nonce, pub, b"host's key", other))[0])
    elif case == "forged":                           # the owner's public key, another signer
        nonce, pub = attest(port)
        other = ec.generate_private_key(ec.SECP384R1())
        print("status=%d" % post(port, SECRET, seal(nonce, pub, b"host's key", key,
                                                      sig_key=other))[0])
    elif case == "unsigned-noise":                   # noise may not end the owner's session
        nonce, pub = attest(port)
        other = ec.generate_private_key(ec.SECP384R1())
        codes = [post(port, SECRET, seal(nonce, pub, b"x", other))[0],
                 post(port, SECRET, os.urandom(400))[0],
                 post(port, "/", b"")[0],
                 post(port, ATTEST, os.urandom(31))[0]]
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/")
        codes.append(c.getresponse().status)
        codes.append(post(port, SECRET, seal(nonce, pub, b"owner's own secret", key))[0])
        print("status=" + ",".join(map(str, codes)))
    elif case == "replay-other-session":             # the owner's message, into a new session
        n1, p1 = attest(port)
        m = seal(n1, p1, b"for session one", key)
        n2, p2 = attest(port)
        m2 = n2 + m[32:]                             # retargeted at session two
        print("status=%d,%d" % (post(port, SECRET, m2)[0], post(port, SECRET, m)[0]))
    elif case == "attest-again":
        attest(port)
        attest(port)
        print("ok")
    else:
        sys.exit(f"unknown case {case}")


def resign(m, agent_pub, key):
    """m with its signature made again by key over its (changed) other bytes."""
    head, tag_body = m[:0xD0], m[0x160:]
    r, s = decode_dss_signature(key.sign(LABEL_SIG + agent_pub + head + tag_body,
                                         ec.ECDSA(hashes.SHA384())))
    return head + le72(r) + le72(s) + tag_body


def corrupt_signed(nonce, agent_pub, key, offset):
    """A message whose byte at offset is flipped, then signed again: authentic, does not open."""
    m = bytearray(seal(nonce, agent_pub, b"not the secret", key))
    m[offset] ^= 1
    return resign(bytes(m), agent_pub, key)


def trickle(port, seconds):
    """Sends a header line every second; prints how long the agent kept the connection."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST " + ATTEST.encode() + b" HTTP/1.1\r\nHost: x\r\n")
    t = time.monotonic()
    closed = False
    try:
        while time.monotonic() - t < float(seconds):
            s.sendall(b"X-Slow: 1\r\n")
            s.settimeout(1.0)
            try:
                if s.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
    except (ConnectionResetError, BrokenPipeError):
        closed = True
    print(f"closed after {int(time.monotonic() - t)} s" if closed else "still open")


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
        owner(int(argv[2]), argv[3], argv[4])
    elif cmd == "digest":
        print(owner_digest(load_key(argv[2])).hex())
    elif cmd == "v1":
        v1(int(argv[2]))
    elif cmd == "vector":
        vector()
    elif cmd == "poke":
        poke(int(argv[2]), argv[3], argv[4] if len(argv) > 4 else None)
    elif cmd == "stall":
        stall(int(argv[2]), argv[3])
    elif cmd == "trickle":
        trickle(int(argv[2]), argv[3])
    elif cmd == "proxy":
        proxy(argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
