#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for AMD's key server (KDS, spec 57230; snp-facts B.3.9) on 127.0.0.1, for tests.

It serves the real certificates of the test data under the real paths and query strings:
  /vcek/v1/{Milan,Genoa,Turin}/{hwID hex}?[fmcSPL=&]blSPL=&teeSPL=&snpSPL=&ucodeSPL=
        the VCEK whose productName, hwID and SPL extensions are exactly those (else 404);
        Milan and Genoa take the 64-byte hwID, Turin the 8-byte one and fmcSPL, no other order
        of parameters matters, a missing or extra parameter is 400.
  /{vcek,vlek}/v1/{product}/cert_chain   ASK (ASVK) then ARK, PEM, from amd-roots/<product>/
  /{vcek,vlek}/v1/{product}/crl          --crl FILE when given, else 404
Every request is appended to --log as "METHOD PATH STATUS", so tests count them. GET
/_control?log=FILE&mode=MODE&busy=N&crl=FILE&data=DIR (any of them) switches the log, the mode,
the CRL or adds test data without a restart; it is not logged. The port (bound
to 0, so the kernel picks a free one) is written to --port-file once the server listens.

Modes (--mode): normal; busy (the first --busy N requests answer 429 with Retry-After: 1); busy-always (every request 429); stall (accept, then say nothing for 60 s);
garbage (200 with a body that is no certificate); huge (200 with 1 MiB); otherchip (a VCEK request is answered with a
real VCEK of another chip of the same product).
"""
import argparse
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

OID = "1.3.6.1.4.1.3704.1."
SPL_OIDS = {"blSPL": "3.1", "teeSPL": "3.2", "snpSPL": "3.3", "ucodeSPL": "3.8", "fmcSPL": "3.9"}
PRODUCTS = ("Milan", "Genoa", "Turin")


def der_int(b):
    if len(b) < 3 or b[0] != 0x02 or b[1] != len(b) - 2:
        raise ValueError("not a short DER INTEGER")
    return int.from_bytes(b[2:], "big")


def ext(cert, suffix):
    for e in cert.extensions:
        if e.oid.dotted_string == OID + suffix:
            return e.value.value
    return None


def hwid_of(raw):
    if raw is None:
        return None
    if len(raw) in (8, 64):
        return raw                      # raw bytes, as AMD issues it
    if raw[0] == 0x04 and raw[1] == len(raw) - 2:
        return raw[2:]                  # a DER OCTET STRING
    return None


def load(data_dir):
    vceks = {}      # (product, hwid hex, frozenset of SPL items) -> DER
    by_product = {}
    for case in sorted(os.listdir(data_dir)):
        d = os.path.join(data_dir, case)
        for name in ("vcek.der", "vcek.pem"):
            p = os.path.join(d, name)
            if not os.path.exists(p):
                continue
            raw = open(p, "rb").read()
            cert = x509.load_pem_x509_certificate(raw) if raw.startswith(b"-----") else \
                x509.load_der_x509_certificate(raw)
            der = cert.public_bytes(Encoding.DER)
            pname = ext(cert, "2")
            product = pname[2:].decode().split("-")[0]
            hwid = hwid_of(ext(cert, "4"))
            spls = {}
            for k, o in SPL_OIDS.items():
                v = ext(cert, o)
                if v is not None and (k != "fmcSPL" or product == "Turin"):
                    spls[k] = der_int(v)
            key = (product, hwid.hex(), frozenset(spls.items()))
            vceks[key] = der
            by_product.setdefault(product, []).append((hwid.hex(), der))
    chains = {}
    for product in PRODUCTS:
        root = os.path.join(data_dir, "amd-roots", product.lower())
        for kind, ask in (("vcek", "ask.pem"), ("vlek", "asvk.pem")):
            try:
                chains[(kind, product)] = (open(os.path.join(root, kind, ask), "rb").read() +
                                           open(os.path.join(root, kind, "ark.pem"), "rb").read())
            except FileNotFoundError:
                pass
    return vceks, by_product, chains


def add_data(srv, d):
    v, b, c = load(d)
    srv.vceks.update(v)
    for k, lst in b.items():
        srv.by_product.setdefault(k, []).extend(lst)
    srv.chains.update(c)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", headers=()):
        srv = self.server
        with srv.lock:
            with open(srv.log, "a") as f:
                f.write(f"GET {self.path} {status}\n")
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, url):
        """/_control?log=FILE&mode=M&busy=N&crl=FILE|&data=DIR: switch without a restart."""
        srv = self.server
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        with srv.lock:
            a = srv.args
            if "log" in q:
                srv.log = q["log"][0]
                open(srv.log, "a").close()
            if "mode" in q:
                a.mode = q["mode"][0]
                srv.seen = {}
            if "busy" in q:
                a.busy = int(q["busy"][0])
            if "crl" in q:
                a.crl = q["crl"][0] or None
            if "data" in q:
                add_data(srv, q["data"][0])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        srv = self.server
        a = srv.args
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            return self.control(url)
        if a.mode == "stall":
            with srv.lock:
                with open(srv.log, "a") as f:
                    f.write(f"GET {self.path} stalled\n")
            time.sleep(60)
            return
        if a.mode == "busy-always":
            return self.send(429, b"Too Many Requests", [("Retry-After", "1")])
        if a.mode == "busy":
            with srv.lock:
                n = srv.seen.get("", 0)
                srv.seen[""] = n + 1
            if n < a.busy:
                return self.send(429, b"Too Many Requests", [("Retry-After", "1")])
        if a.mode == "garbage":
            return self.send(200, b"<html>not a certificate</html>\n")
        if a.mode == "huge":
            return self.send(200, b"\x30" * (1 << 20))
        parts = url.path.split("/")
        if len(parts) != 5 or parts[0] != "" or parts[1] not in ("vcek", "vlek") or \
                parts[2] != "v1" or parts[3] not in PRODUCTS:
            return self.send(404)
        kind, product, item = parts[1], parts[3], parts[4]
        if item == "cert_chain":
            chain = srv.chains.get((kind, product))
            return self.send(200, chain) if chain else self.send(404)
        if item == "crl":
            if a.crl:
                return self.send(200, open(a.crl, "rb").read())
            return self.send(404)
        if kind != "vcek":
            return self.send(404)
        q = urllib.parse.parse_qs(url.query, keep_blank_values=True, strict_parsing=False)
        want = {"blSPL", "teeSPL", "snpSPL", "ucodeSPL"} | ({"fmcSPL"} if product == "Turin" else set())
        if set(q) != want or any(len(v) != 1 for v in q.values()):
            return self.send(400, b"bad parameters\n")
        try:
            spls = frozenset((k, int(v[0], 10)) for k, v in q.items())
        except ValueError:
            return self.send(400, b"bad parameters\n")
        der = srv.vceks.get((product, item.lower(), spls))
        if der is None:
            return self.send(404)
        if a.mode == "otherchip":
            others = [d for h, d in srv.by_product.get(product, []) if h != item.lower()]
            if others:
                der = others[0]
        return self.send(200, der, [("Content-Type", "application/octet-stream")])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, action="append")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--mode", default="normal",
                   choices=["normal", "busy", "busy-always", "stall", "garbage", "huge",
                            "otherchip"])
    p.add_argument("--busy", type=int, default=1)
    p.add_argument("--crl")
    a = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.args = a
    srv.lock = threading.Lock()
    srv.seen = {}
    srv.vceks, srv.by_product, srv.chains = {}, {}, {}
    for d in a.data:
        add_data(srv, d)
    srv.log = a.log
    open(a.log, "a").close()
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
