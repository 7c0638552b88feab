#!/usr/bin/env python3
"""A Graph Store Protocol endpoint that fails on purpose, for testing `papergraph push`.

    python3 tests/servers/flaky_gsp.py [--busy-every N] [--refuse-after K] [--require-basic USER:PASSWORD]

Listens on a free loopback port, prints `http://127.0.0.1:PORT/store` on one line, and serves
until its standard input closes:

- POST /store?graph=IRI (or ?default) with an N-Triples body: adds the body's lines to that graph;
- every Nth POST (--busy-every) is answered 503 without storing anything (a transient error);
- after K POSTs stored (--refuse-after), every POST is answered 400 (a permanent error);
- with --require-basic, a POST without those Basic credentials is answered 401 with a Basic
  challenge at once, without reading its body, and the connection is closed (as Virtuoso
  does): a client still writing a big body sees its connection reset;
- GET /stats answers JSON: {"posts": n, "stored": n, "busy": n, "refused": n,
  "challenged": n, "triples": {graph: distinct triples}}.

Standard library only.
"""
from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--busy-every", type=int, default=0)
    ap.add_argument("--refuse-after", type=int, default=0)
    ap.add_argument("--require-basic", default="")
    args = ap.parse_args()
    lock = threading.Lock()
    stats = {"posts": 0, "stored": 0, "busy": 0, "refused": 0, "challenged": 0}
    expected = "Basic " + base64.b64encode(args.require_basic.encode()).decode() if args.require_basic else None
    graphs: dict[str, set[str]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if expected and self.headers.get("Authorization") != expected:
                with lock:
                    stats["challenged"] += 1
                self.close_connection = True
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="test"')
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query, keep_blank_values=True)
            graph = query["graph"][0] if "graph" in query else "default"
            with lock:
                stats["posts"] += 1
                if args.refuse_after and stats["stored"] >= args.refuse_after:
                    stats["refused"] += 1
                    return self.answer(400, b"refused on purpose")
                if args.busy_every and stats["posts"] % args.busy_every == 0:
                    stats["busy"] += 1
                    return self.answer(503, b"busy on purpose")
                stats["stored"] += 1
                graphs.setdefault(graph, set()).update(line for line in body.decode().splitlines() if line.strip())
            self.answer(204, b"")

        def do_GET(self) -> None:
            with lock:
                report = dict(stats, triples={g: len(t) for g, t in graphs.items()})
            self.answer(200, json.dumps(report).encode(), "application/json")

        def answer(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}/store", flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
