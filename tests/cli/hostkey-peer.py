#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A second implementation of the SSH host key answer (docs/protocol.md, "The SSH host key"), for
# tests/cli/test-ssh-host-key.sh, with python3's hashlib only:
#   check PORT PUBFILE      as owner: POST a nonce, check the answer's key is PUBFILE's blob and
#                           the report's REPORT_DATA is SHA-512(label || nonce || SHA-256(blob))
#   swap PORT PUBFILE       a host in the middle: forwards to the agent on PORT and answers with
#                           PUBFILE's key in place of the agent's (the report left as it is);
#                           prints its own port, serves until killed
#   replay PORT             fetches one answer for a nonce of its own and serves it to anyone
import base64, hashlib, http.server, os, struct, sys, urllib.request

LABEL = b"snpctl-handshake-v2 ssh-host-key"
PATH = "/snpctl/v2/ssh-host-key"
REPORT_SIZE = 1184
REPORT_DATA_OFF = 0x50


def blob_of(pub):
    return base64.b64decode(open(pub).read().split()[1])


def post(port, nonce):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{PATH}", data=nonce, method="POST",
                                 headers={"Content-Type": "application/octet-stream"})
    return urllib.request.urlopen(req, timeout=30).read()


def split(ans):
    n = struct.unpack_from("<I", ans)[0]
    return ans[4:4 + n], ans[4 + n:4 + n + REPORT_SIZE], ans[4 + n + REPORT_SIZE:]


def check(port, pub):
    nonce = os.urandom(32)
    blob, report, rest = split(post(port, nonce))
    assert blob == blob_of(pub), "the answer's key is not the .pub file's"
    want = hashlib.sha512(LABEL + nonce + hashlib.sha256(blob).digest()).digest()
    got = report[REPORT_DATA_OFF:REPORT_DATA_OFF + 64]
    assert got == want, f"REPORT_DATA {got.hex()} is not {want.hex()}"
    print("report_data", got.hex())


def serve(handler_answer):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            out = handler_answer(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *a):
            pass
    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


def main():
    cmd = sys.argv[1]
    if cmd == "check":
        check(int(sys.argv[2]), sys.argv[3])
    elif cmd == "swap":
        port, other = int(sys.argv[2]), blob_of(sys.argv[3])

        def swap(nonce):
            _, report, rest = split(post(port, nonce))
            return struct.pack("<I", len(other)) + other + report + rest
        serve(swap)
    elif cmd == "replay":
        old = post(int(sys.argv[2]), os.urandom(32))
        serve(lambda nonce: old)


main()
