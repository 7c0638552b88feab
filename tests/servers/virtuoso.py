#!/usr/bin/env python3
"""A throw-away Virtuoso Open Source (Debian's virtuoso-opensource) for papergraph's tests.

    python3 tests/servers/virtuoso.py serve --dir DIR [--auth digest|basic|none] [--no-stdin]
    python3 tests/servers/virtuoso.py check [--bench] [--keep]

`serve` creates DIR (a fresh database, or reuses the one a previous `serve` left there), writes
DIR/virtuoso.ini (database, logs and HTTP root inside DIR; HTTP and ISQL servers on 127.0.0.1 only,
on free ports; small buffers), runs virtuoso-t in the foreground as a child, waits for the SPARQL
endpoint, creates a writer account, then prints ONE line of JSON on stdout:

    {"sparql": "http://127.0.0.1:P/sparql", "update": "http://127.0.0.1:P/sparql-auth",
     "gsp": "http://127.0.0.1:P/sparql-graph-crud-auth", "user": "papergraph", "password": "...",
     "auth": "digest", "isql_port": N, "http_port": P, "dba_password": "...", "dir": "DIR",
     "pid": N, "version": "07.20.3229"}

Reads are anonymous (/sparql). Writes (SPARQL Update at "update", Graph Store Protocol at "gsp")
need HTTP authentication as "user":
  --auth digest  (default) Virtuoso's stock set-up: the -auth endpoints take Digest (MD5, qop=auth)
                 only; Basic credentials are refused with 401.
  --auth basic   the -auth endpoints are re-declared with security "basic": preemptive Basic is
                 accepted, and Digest still works (the 401 challenge still offers only Digest).
  --auth none    the anonymous SPARQL account may write: "update" is /sparql, "gsp" is
                 /sparql-graph-crud, "user" and "password" are empty.
The dba password is changed to a random one (given as "dba_password", for isql-vt on "isql_port").

It then runs until its standard input is closed (unless --no-stdin) or it gets SIGTERM/SIGINT, and
stops Virtuoso (SIGTERM, then SIGKILL after 30 s). It deletes nothing: the caller removes DIR.
Exit status: 0 after a normal stop, 1 if Virtuoso is missing, does not come up within 60 s (the
tail of DIR/virtuoso.log goes to stderr) or dies while serving.

`check` serves from a temporary directory, runs the self-test (the facts of VIRTUOSO.md beside this
file), stops it and exits 0 if every check passed; --bench adds the request-size and load-throughput
measurements; --keep leaves the directory.

Standard library only (Python 3.9+).
"""
from __future__ import annotations

import argparse
import base64
import ctypes
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
WRITER = "papergraph"
STATE_FILE = "harness.json"

INI = """\
; Written by tests/servers/virtuoso.py: a throw-away database on loopback.
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{isql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
AllowOSCalls         = 0
SchedulerInterval    = 10
DirsAllowed          = ., {dir}
ThreadCleanupInterval = 0
ThreadThreshold      = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize    = 100000
SingleCPU            = 0
PrefixResultNames    = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps        = 64
MaxMemPoolSize       = 100000000
MaxQueryMem          = 512M
VectorSize           = 1000
MaxVectorSize        = 1000000
AdjustVectorSize     = 0
; Debian's values: with 2 and 4 a GSP upload of 350k triples deadlocked (see VIRTUOSO.md).
ThreadsPerQuery      = 4
AsyncQueueMaxThreads = 10
; 8 KiB pages: {buffers} buffers = {buffer_mb} MiB of page cache.
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty}

[HTTPServer]
ServerPort                = 127.0.0.1:{http_port}
ServerRoot                = {dir}/vsp
MaxClientConnections      = 10
DavRoot                   = DAV
EnabledDavVSP             = 0
HTTPProxyEnabled          = 0
TempASPXDir               = 0
ServerThreads             = 10
MaxKeepAlives             = 10
KeepAliveTimeout          = 10
HTTPThreadSize            = 280000
HttpPrintWarningsInOutput = 0
Charset                   = UTF-8
EnabledGzipContent        = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[URIQA]
DynamicLocal = 0
DefaultHost  = 127.0.0.1:{http_port}

[SPARQL]
; No silent truncation of results, no "anytime" partial answers: tests compare whole answers.
ResultSetMaxRows           = 100000000
MaxSortedTopRows           = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
DefaultQuery               = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10
DeferInferenceRulesInit    = 1
"""


def die(message: str, log_dir: str | None = None) -> "NoReturn":  # type: ignore[name-defined]
    print(f"virtuoso.py: {message}", file=sys.stderr)
    if log_dir:
        tail = log_tail(log_dir)
        if tail:
            print(f"--- tail of {log_dir}/virtuoso.log ---\n{tail}", file=sys.stderr)
    sys.exit(1)


def log_tail(directory: str, lines: int = 30) -> str:
    # In the foreground virtuoso-t writes its log to stdout (virtuoso.out) as well as virtuoso.log.
    for name in ("virtuoso.log", "virtuoso.out"):
        try:
            with open(os.path.join(directory, name), "rb") as f:
                content = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            continue
        if content:
            return "\n".join(content[-lines:]).rstrip()
    return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binaries() -> tuple[str, str]:
    server = os.environ.get("VIRTUOSO_T") or shutil.which("virtuoso-t")
    # Debian calls Virtuoso's isql "isql-vt"; a plain "isql" is usually unixODBC's, a different tool.
    isql = os.environ.get("VIRTUOSO_ISQL") or shutil.which("isql-vt")
    if server and not os.access(server, os.X_OK):
        die(f"{server} (VIRTUOSO_T) is not an executable file")
    if not server:
        die("virtuoso-t not found (Debian: apt-get install --no-install-recommends virtuoso-opensource)")
    if not isql:
        die("isql-vt not found (Debian: apt-get install --no-install-recommends virtuoso-opensource)")
    return server, isql


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the harness dies without stopping Virtuoso (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# --- HTTP with Basic or Digest authentication -----------------------------------------------------

class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers.get('Content-Type')} {self.body[:200]!r}>"


class Client:
    """urllib with preemptive Basic or Digest (a challenge is fetched once, then reused with nc+1)."""

    def __init__(self, user: str = "", password: str = "", auth: str = "none", timeout: float = 600,
                 user_agent: str = "papergraph-tests"):
        self.user, self.password, self.auth, self.timeout = user, password, auth, timeout
        self.user_agent = user_agent
        self._challenge: dict[str, str] | None = None
        self._nc = 0

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, auth: bool = True) -> Response:
        headers = dict(headers or {})
        if auth and self.auth != "none" and self.user:
            headers["Authorization"] = self._authorization(method, url)
        response = self._send(method, url, body, headers)
        if response.status == 401 and auth and self.auth == "digest" and self._challenge is not None:
            # Nonce expired or unknown: take the fresh challenge and try once more.
            self._challenge = parse_challenge(response.headers.get("WWW-Authenticate", ""))
            headers["Authorization"] = self._authorization(method, url)
            response = self._send(method, url, body, headers)
        return response

    def _send(self, method, url, body, headers) -> Response:
        headers = {"User-Agent": self.user_agent, **headers}
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def _authorization(self, method: str, url: str) -> str:
        if self.auth == "basic":
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return f"Basic {token}"
        if self._challenge is None:
            # An empty, unauthenticated request for the challenge (cheap: no body is sent twice).
            r = self._send("GET", url, None, {})
            self._challenge = parse_challenge(r.headers.get("WWW-Authenticate", ""))
        c = self._challenge
        self._nc += 1
        nc = f"{self._nc:08x}"
        cnonce = secrets.token_hex(8)
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
        ha1 = md5(f"{self.user}:{c['realm']}:{self.password}")
        ha2 = md5(f"{method}:{uri}")
        response = md5(f"{ha1}:{c['nonce']}:{nc}:{cnonce}:auth:{ha2}")
        fields = {"username": self.user, "realm": c["realm"], "nonce": c["nonce"], "uri": uri,
                  "response": response, "opaque": c.get("opaque", ""), "algorithm": "MD5"}
        quoted = ", ".join(f'{k}="{v}"' for k, v in fields.items())
        return f"Digest {quoted}, qop=auth, nc={nc}, cnonce=\"{cnonce}\""


def parse_challenge(header: str) -> dict[str, str]:
    if not header.lower().startswith("digest "):
        raise RuntimeError(f"no Digest challenge in {header!r}")
    out: dict[str, str] = {}
    rest = header[7:]
    while rest:
        rest = rest.lstrip(" ,")
        if "=" not in rest:
            break
        key, rest = rest.split("=", 1)
        if rest.startswith('"'):
            value, rest = rest[1:].split('"', 1)
        else:
            value, _, rest = rest.partition(",")
        out[key.strip().lower()] = value.strip()
    return out


# --- the server ----------------------------------------------------------------------------------

class Virtuoso:
    def __init__(self, directory: str, auth: str = "digest", buffers: int = 20000,
                 timeout: float = START_TIMEOUT):
        self.dir = os.path.abspath(directory)
        self.timeout = timeout
        self.auth = auth
        self.buffers = buffers
        self.server_bin, self.isql_bin = find_binaries()
        self.proc: subprocess.Popen | None = None
        self.info: dict = {}

    # Ports are picked free, then bound by Virtuoso a moment later: retry on the rare clash.
    def start(self) -> dict:
        os.makedirs(os.path.join(self.dir, "vsp"), exist_ok=True)
        state_path = os.path.join(self.dir, STATE_FILE)
        fresh = not os.path.exists(os.path.join(self.dir, "virtuoso.db"))
        if fresh:
            state = {"password": secrets.token_urlsafe(12), "dba_password": secrets.token_urlsafe(12),
                     "dba_current": "dba"}
        else:
            try:
                with open(state_path) as f:
                    state = json.load(f)
            except (OSError, ValueError):
                die(f"{self.dir} holds a database but no readable {STATE_FILE}: use an empty directory")
        for attempt in range(3):
            self.isql_port, self.http_port = free_port(), free_port()
            if self.isql_port == self.http_port:
                continue
            self._write_ini()
            self._spawn()
            if self._wait_up(attempt == 2):
                break
        else:
            die("Virtuoso did not come up", self.dir)
        try:
            self._setup(state)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            self.stop()
            die(f"setting up the accounts failed: {e}", self.dir)
        with open(state_path, "w") as f:
            json.dump(state, f)
        base = f"http://127.0.0.1:{self.http_port}"
        if self.auth == "none":
            update, gsp, user, password = f"{base}/sparql", f"{base}/sparql-graph-crud", "", ""
        else:
            update, gsp = f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth"
            user, password = WRITER, state["password"]
        self.info = {"sparql": f"{base}/sparql", "update": update, "gsp": gsp, "user": user,
                     "password": password, "auth": self.auth, "isql_port": self.isql_port,
                     "http_port": self.http_port, "dba_password": state["dba_password"],
                     "dir": self.dir, "pid": self.proc.pid, "version": self._version()}
        return self.info

    def _write_ini(self) -> None:
        ini = INI.format(dir=self.dir, isql_port=self.isql_port, http_port=self.http_port,
                         buffers=self.buffers, dirty=self.buffers * 3 // 4,
                         buffer_mb=self.buffers * 8 // 1024)
        with open(os.path.join(self.dir, "virtuoso.ini"), "w") as f:
            f.write(ini)

    def _spawn(self) -> None:
        out = open(os.path.join(self.dir, "virtuoso.out"), "ab")
        self.proc = subprocess.Popen(
            [self.server_bin, "+foreground", "+configfile", os.path.join(self.dir, "virtuoso.ini")],
            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent)
        out.close()

    def _wait_up(self, last_try: bool) -> bool:
        deadline = time.monotonic() + self.timeout
        url = f"http://127.0.0.1:{self.http_port}/sparql?query=" + urllib.parse.quote("ASK {}")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = log_tail(self.dir)
                if not last_try and ("listen" in tail.lower() or "address" in tail.lower()):
                    return False  # a port was taken meanwhile: pick others
                die(f"virtuoso-t exited with status {self.proc.returncode} while starting", self.dir)
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        with socket.create_connection(("127.0.0.1", self.isql_port), timeout=5):
                            return True
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.25)
        self.kill()
        die(f"the SPARQL endpoint did not answer within {self.timeout:.0f} s", self.dir)

    def isql(self, sql: str, password: str) -> str:
        """Runs statements through isql-vt as dba; raises on any '*** Error'."""
        r = subprocess.run([self.isql_bin, f"127.0.0.1:{self.isql_port}", "dba", password,
                            "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF"],
                           input=sql + "\nexit;\n", capture_output=True, text=True, timeout=120)
        output = r.stdout + r.stderr
        if r.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed (status {r.returncode}):\n{output.strip()}\n--- for:\n{sql}")
        return output

    def _setup(self, state: dict) -> None:
        dba = state["dba_current"]
        password = state["password"].replace("'", "''")
        counts = self.isql(
            f"select count(*) from DB.DBA.SYS_USERS where U_NAME = '{WRITER}';\n"
            "select count(*) from DB.DBA.SYS_ROLE_GRANTS"
            " where GI_SUPER = (select U_ID from DB.DBA.SYS_USERS where U_NAME = 'SPARQL')"
            " and GI_SUB = (select U_ID from DB.DBA.SYS_USERS where U_NAME = 'SPARQL_UPDATE');", dba).split()
        writer_exists, anonymous_writes = counts[0] != "0", counts[1] != "0"
        sql = []
        if not writer_exists:
            # A SQL-enabled account: HP_AUTH_SPARQL_USER only accepts those.
            sql.append(f"DB.DBA.USER_CREATE ('{WRITER}', '{password}');")
            sql.append(f'GRANT SPARQL_UPDATE TO "{WRITER}";')
        if self.auth == "none" and not anonymous_writes:
            sql.append('GRANT SPARQL_UPDATE TO "SPARQL";')
        if self.auth != "none" and anonymous_writes:
            sql.append('REVOKE SPARQL_UPDATE FROM "SPARQL";')
        if self.auth != "none":
            security = "basic" if self.auth == "basic" else "digest"
            for lpath, ppath, opts in (("/sparql-auth", "/!sparql/", "vector ('noinherit', 1)"),
                                       ("/sparql-graph-crud-auth", "/!sparql-graph-crud/",
                                        "vector ('noinherit', 1, 'exec_as_get', 1)")):
                # Virtuoso's stock declarations, with the chosen security ('digest' is its own).
                sql.append(f"DB.DBA.VHOST_REMOVE (lpath=>'{lpath}');")
                sql.append(f"DB.DBA.VHOST_DEFINE (lpath=>'{lpath}', ppath=>'{ppath}', is_dav=>1, "
                           f"vsp_user=>'dba', opts=>{opts}, auth_fn=>'DB.DBA.HP_AUTH_SPARQL_USER', "
                           f"realm=>'SPARQL', sec=>'{security}');")
        if dba != state["dba_password"]:
            sql.append(f"DB.DBA.USER_PASSWORD_SET ('dba', '{state['dba_password']}');")
        self.isql("\n".join(sql), dba)
        state["dba_current"] = state["dba_password"]

    def _version(self) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/sparql?query=ASK%7B%7D",
                                        timeout=10) as r:
                server = r.headers.get("Server", "")
            return server.split("/", 1)[1].split()[0] if "/" in server else server
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        """SIGTERM (Virtuoso does a quick shutdown), SIGKILL if it hangs. Returns its status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f"virtuoso.py: virtuoso-t ignored SIGTERM for {STOP_TIMEOUT:.0f} s; killing it",
                      file=sys.stderr)
                self.kill()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def serve(args) -> int:
    server = Virtuoso(args.dir, args.auth, args.buffers, args.timeout)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    try:
        info = server.start()
    except BaseException:
        server.kill()
        raise
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    if not args.no_stdin:
        def watch_stdin():
            try:
                while sys.stdin.buffer.read(65536):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()
    status = 0
    while not stop.wait(0.5):
        if not server.alive():
            print(f"virtuoso.py: virtuoso-t died with status {server.proc.returncode}", file=sys.stderr)
            tail = log_tail(server.dir)
            if tail:
                print(f"--- tail of {server.dir}/virtuoso.log ---\n{tail}", file=sys.stderr)
            return 1
    server.stop()
    return status


def check(args) -> int:
    import virtuoso_selftest  # beside this file
    directory = tempfile.mkdtemp(prefix="papergraph-virtuoso-")
    server = Virtuoso(directory, args.auth, args.buffers, args.timeout)
    ok = False
    try:
        t = time.monotonic()
        info = server.start()
        print(f"virtuoso {info['version']} up on {info['sparql']} in {time.monotonic() - t:.1f} s "
              f"(dir {directory}, auth {info['auth']})", flush=True)
        ok = virtuoso_selftest.run(info, bench=args.bench)
    finally:
        server.stop()
        if args.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "check"):
        p = sub.add_parser(name)
        p.add_argument("--auth", choices=("digest", "basic", "none"), default="digest")
        p.add_argument("--buffers", type=int, default=20000,
                       help="NumberOfBuffers, 8 KiB pages (default 20000: 156 MiB)")
        p.add_argument("--timeout", type=float, default=START_TIMEOUT,
                       help="seconds to wait for the endpoint (default 60; reusing a DIR replays its "
                            "transaction log first, which can take longer)")
        if name == "serve":
            p.add_argument("--dir", required=True)
            p.add_argument("--no-stdin", action="store_true",
                           help="ignore standard input; stop only on SIGTERM/SIGINT")
        else:
            p.add_argument("--bench", action="store_true", help="also measure body sizes and load rates")
            p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    return serve(args) if args.command == "serve" else check(args)


if __name__ == "__main__":
    sys.exit(main())
