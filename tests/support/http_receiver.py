#!/usr/bin/python3
"""A real HTTP server receiving webhooks, for the alert channel tests (Python's http.server).

Listens on 127.0.0.1 on a free port chosen by the kernel and prints that port, alone on a line,
on stdout once it accepts connections. Runs until killed (SIGTERM).

    http_receiver.py --dir DIR [--status 200 | --status 503,503,200] [--tls CERT KEY]
                     [--location URL]

  --status     the status of each answer in turn; the last one repeats (default 200)
  --tls        HTTPS with this certificate
  --location   the Location of 3xx answers (default: /elsewhere on this server)

Each request goes to DIR/request-NNNN/, a directory renamed into place once complete, before
the answer is sent:
  request.json   {"method", "path", "headers": [[name, value], ...], "body": text,
                 "body_base64": ...}: the whole record, for a human
  head.txt       "method: POST", "path: /x?y", then "header: Name: value" per header, in order
  body           the body, byte for byte
"""

import argparse
import base64
import http.server
import itertools
import json
import os
import ssl
import sys
import tempfile
import threading


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--status", default="200")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--location", default="/elsewhere")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    statuses = [int(s) for s in args.status.split(",")]
    lock = threading.Lock()
    counter = itertools.count(1)

    class Handler(http.server.BaseHTTPRequestHandler):
        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            with lock:
                number = next(counter)
                status = statuses[min(number, len(statuses)) - 1]
            self.record(number, body)
            answer = json.dumps({"status": status}).encode()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", args.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_POST = do_GET = do_PUT = do_DELETE = handle_any

        def record(self, number, body):
            staging = tempfile.mkdtemp(prefix=".incoming-", dir=args.dir)
            headers = list(self.headers.items())
            with open(os.path.join(staging, "body"), "wb") as out:
                out.write(body)
            with open(os.path.join(staging, "head.txt"), "w", encoding="utf-8") as out:
                out.write(f"method: {self.command}\npath: {self.path}\n")
                out.writelines(f"header: {name}: {value}\n" for name, value in headers)
            with open(os.path.join(staging, "request.json"), "w", encoding="utf-8") as out:
                json.dump({"method": self.command, "path": self.path, "headers": headers,
                           "body": body.decode("utf-8", "replace"),
                           "body_base64": base64.b64encode(body).decode()}, out,
                          ensure_ascii=False, indent=1)
            os.rename(staging, os.path.join(args.dir, f"request-{number:04d}"))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
        # A client that refuses the certificate makes accept() fail: socketserver ignores it.
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
