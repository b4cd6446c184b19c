#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""ingest_receiver.py - a test stand-in for a Pyroscope /ingest endpoint (test tool, not product).

Records every request into DIR, numbered in arrival order (numbering continues across restarts):
  DIR/NNNNNN.meta    text, one "key value" per line: method, path, query (raw), q.KEY (each
                     query parameter, URL-decoded by Python), h.HEADER (lower-case), body_bytes,
                     status (what it answered, "hang" when it never did)
  DIR/NNNNNN.body    the raw body
  DIR/NNNNNN.PART    for multipart/form-data: each part's content by its field name
                     (e.g. NNNNNN.profile, NNNNNN.sample_type_config), split by Python's email
                     parser, independently of the code under test
What it answers is read from DIR/MODE at each request: "ok" (200, the default), a status code
such as "500" or "400", or "hang" (read the request, record it, never answer). A MODE of several
lines is a script: each request uses up the first line, the last one stays ("ok\nhang": answer
one request, then hang). "Down" is simply
not running: the test kills it and starts it again on the same port.

usage: ingest_receiver.py --port PORT --dir DIR
"""
import argparse
import email.parser
import email.policy
import http.server
import os
import threading
import time
import urllib.parse

lock = threading.Lock()


def next_number(directory):
    nums = [int(f.split(".")[0]) for f in os.listdir(directory) if f.endswith(".meta")]
    return max(nums) + 1 if nums else 1


def mode(directory):
    """The first line of DIR/MODE; with more lines, that one is used up (the last one stays)."""
    path = os.path.join(directory, "MODE")
    try:
        with open(path) as f:
            lines = [l.strip() for l in f.read().splitlines() if l.strip()]
    except FileNotFoundError:
        return "ok"
    if len(lines) > 1:
        write_atomic(path, ("\n".join(lines[1:]) + "\n").encode())
    return lines[0] if lines else "ok"


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def multipart_parts(ctype, body):
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    parts = {}
    if msg.is_multipart():
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                parts[name] = part.get_payload(decode=True) or b""
    return parts


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        directory = self.server.directory
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        with lock:
            how = mode(directory)
        status = "hang" if how == "hang" else ("200" if how == "ok" else how)
        lines = ["method POST", "path " + url.path, "query " + url.query]
        for k, vs in urllib.parse.parse_qs(url.query, keep_blank_values=True).items():
            lines += ["q.%s %s" % (k, v) for v in vs]
        lines += ["h.%s %s" % (k.lower(), v) for k, v in self.headers.items()]
        lines += ["body_bytes %d" % len(body), "status " + status]
        ctype = self.headers.get("Content-Type", "")
        with lock:
            n = next_number(directory)
            base = os.path.join(directory, "%06d" % n)
            if ctype.startswith("multipart/form-data"):
                for name, data in multipart_parts(ctype, body).items():
                    write_atomic(base + "." + name, data)
            write_atomic(base + ".body", body)
            # .meta last: a test that sees it finds everything else
            write_atomic(base + ".meta", ("\n".join(lines) + "\n").encode())
        if how == "hang":
            while True:
                time.sleep(3600)
        code = int(status)
        reply = b"ok\n" if code < 300 else b"refused by the test receiver\n"
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    http.server.ThreadingHTTPServer.daemon_threads = True
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.directory = args.dir
    srv.serve_forever()


if __name__ == "__main__":
    main()
