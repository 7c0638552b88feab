"""Self-test of a running Virtuoso (see virtuoso.py `check`): each check states one fact of
VIRTUOSO.md, so a Virtuoso that behaves differently (another Debian release) shows up here.

run(info, bench=False) -> bool; `info` is the JSON line of `virtuoso.py serve`.
"""
from __future__ import annotations

import json
import random
import socket
import string
import time
import urllib.parse

from virtuoso import Client

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
T = "http://papergraph.test/"  # every graph and term of the self-test lives under this


class Suite:
    def __init__(self, info: dict):
        self.info = info
        self.sparql, self.gsp, self.update = info["sparql"], info["gsp"], info["update"]
        self.w = Client(info["user"], info["password"], info["auth"])
        self.anon = Client()
        self.passed = self.failed = 0

    # -- helpers ----------------------------------------------------------------------------------
    def check(self, name: str, ok: bool, detail="") -> bool:
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}: {str(detail)[:600]}", flush=True)
        return ok

    def get(self, query: str, accept: str | None = "application/sparql-results+json", **params):
        url = self.sparql + "?" + urllib.parse.urlencode({"query": query, **params})
        return self.anon.request("GET", url, headers={} if accept is None else {"Accept": accept})

    def post_form(self, query: str, accept="application/sparql-results+json", **params):
        body = urllib.parse.urlencode({"query": query, **params}).encode()
        return self.anon.request("POST", self.sparql, body, {
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})

    def rows(self, query: str, **params) -> list[dict]:
        r = self.get(query, **params)
        if r.status != 200:
            raise AssertionError(f"{r.status} {r.text[:300]}")
        return r.json()["results"]["bindings"]

    def one(self, query: str) -> dict:
        rows = self.rows(query)
        return rows[0] if rows else {}

    def put(self, graph: str, body: str | bytes, ctype="application/n-triples", method="PUT",
            client: Client | None = None, url: str | None = None, param="graph"):
        data = body.encode() if isinstance(body, str) else body
        target = (url or self.gsp) + "?" + urllib.parse.urlencode({param: graph})
        return (client or self.w).request(method, target, data, {"Content-Type": ctype})

    def upd(self, text: str, client: Client | None = None, url: str | None = None):
        return (client or self.w).request("POST", url or self.update, text.encode(),
                                          {"Content-Type": "application/sparql-update"})

    def count(self, graph: str) -> int:
        b = self.one(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(b["n"]["value"])

    # -- the facts --------------------------------------------------------------------------------
    def system_graphs(self):
        graphs = [b["g"]["value"] for b in self.rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
        print(f"     graphs of the fresh database: {graphs}")
        base = self.sparql.rsplit("/", 1)[0]
        self.check("fresh database has Virtuoso's own graphs (virtrdf#, ldp#, <endpoint> service description)",
                   {"http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                    f"{base}/sparql"} <= set(graphs), graphs)
        n = int(self.one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")["n"]["value"])
        self.check("a query without FROM sees those system triples too (union default graph)", n > 2000, n)

    def query_protocol(self):
        q = "SELECT ?x WHERE { VALUES ?x { 1 } }"
        self.check("GET ?query= works", self.get(q).status == 200)
        self.check("POST application/x-www-form-urlencoded works", self.post_form(q).status == 200)
        # Virtuoso 7.2 never answers a POST with Content-Type application/sparql-query
        # (openlink/virtuoso-opensource#842): the request hangs until the client gives up.
        host, port = "127.0.0.1", int(self.sparql.split(":")[2].split("/")[0])
        body = q.encode()
        answered = True
        with socket.create_connection((host, port), timeout=3) as s:
            s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                      b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            try:
                answered = bool(s.recv(100))
            except socket.timeout:
                answered = False
        self.check("POST application/sparql-query gets no answer at all (hangs): use GET or form POST",
                   not answered)
        # application/sparql-update as Content-Type is accepted for queries too (a work-around).
        r = self.anon.request("POST", self.sparql, body, {"Content-Type": "application/sparql-update",
                                                          "Accept": "application/sparql-results+json"})
        self.check("POST a query with Content-Type application/sparql-update answers it", r.status == 200, r)
        for accept, ctype in [("application/sparql-results+json", "application/sparql-results+json"),
                              ("application/json", "application/json"),
                              ("application/sparql-results+xml", "application/sparql-results+xml"),
                              ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
                              ("*/*", "application/sparql-results+xml"), (None, "application/sparql-results+xml")]:
            r = self.get(q, accept=accept)
            self.check(f"SELECT with Accept {accept or '(none)'!r} -> {ctype}",
                       r.status == 200 and r.headers.get("Content-Type", "").startswith(ctype), r)
        r = self.get(q, accept="")
        self.check("an empty Accept header -> 406", r.status == 406, r)
        r = self.get('SELECT ?x WHERE { BIND(<http://x/> AS ?x) }', accept="text/tab-separated-values")
        self.check('TSV is not SPARQL TSV: header "x" (not ?x), IRIs unbracketed', r.text.split("\n")[:2] == ['"x"', '"http://x/"'],
                   r.text)
        r = self.get(q)
        self.check('JSON results carry "ordered": true and "link": [] (harmless extras)',
                   '"ordered": true' in r.text and '"link": []' in r.text, r.text)
        # The request line is cut at ~10 kB: a long GET query is silently truncated -> 400.
        values = " ".join(f"<{T}x{i}>" for i in range(600))
        long_q = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?x {{ {values} }} }}"
        url_len = len(self.sparql + "?" + urllib.parse.urlencode({"query": long_q}))
        r = self.get(long_q)
        self.check(f"GET of a {url_len}-byte URL is truncated by the server (400 syntax error)",
                   r.status == 400 and "SP030" in r.text, r)
        r = self.post_form(long_q)
        self.check("the same query by form POST works", r.status == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "600", r)
        r = self.get("SELECT ?x WHERE { ?x ?y }")
        self.check("malformed query -> 400 text/plain 'Virtuoso 37000 Error SP030: ...'",
                   r.status == 400 and r.headers.get("Content-Type", "").startswith("text/plain")
                   and r.text.startswith("Virtuoso 37000 Error SP030"), r)
        r = self.get("ASK { }")
        self.check('ASK JSON -> {"boolean": true}', r.status == 200 and r.json()["boolean"] is True, r)

    def graph_store(self):
        g = f"{T}gsp"
        auth = self.info["auth"]
        r = self.put(g, f"<{T}a> <{T}p> \"1\" .\n")
        self.check("GSP PUT N-Triples to a new graph -> 201", r.status == 201, r)
        r = self.put(g, f"@prefix t: <{T}> .\nt:a t:p \"2\" .\n", "text/turtle")
        self.check("GSP PUT Turtle to an existing graph -> 200 (replaces)", r.status == 200 and self.count(g) == 1, r)
        r = self.put(g, f"<{T}b> <{T}p> \"3\" .\n", method="POST")
        self.check("GSP POST to an existing graph -> 200 (adds)", r.status == 200 and self.count(g) == 2, r)
        r = self.put(g + "2", f"<{T}b> <{T}p> \"3\" .\n", method="POST")
        self.check("GSP POST to a new graph -> 201", r.status == 201, r)
        r = self.put(g + "3", f"<{T}b> <{T}p> \"3\" .\n", "application/n-triples; charset=utf-8", param="graph-uri")
        self.check("?graph-uri= works like ?graph=, charset parameter accepted", r.status == 201 and self.count(g + "3") == 1, r)
        r = self.w.request("GET", self.gsp + "?" + urllib.parse.urlencode({"graph": g}),
                           headers={"Accept": "application/n-triples"})
        self.check("GSP GET with Accept application/n-triples -> 200 N-Triples",
                   r.status == 200 and r.headers.get("Content-Type", "").startswith("application/n-triples"), r)
        r = self.w.request("GET", self.gsp + "?" + urllib.parse.urlencode({"graph": g}))
        self.check("GSP GET without Accept -> text/turtle", r.headers.get("Content-Type", "").startswith("text/turtle"), r)
        r = self.w.request("HEAD", self.gsp + "?" + urllib.parse.urlencode({"graph": g}))
        self.check("GSP HEAD -> 501", r.status == 501, r)
        r = self.put(f"{T}nq", f"<{T}a> <{T}p> \"1\" <{T}g> .\n", "application/n-quads")
        self.check("GSP PUT N-Quads -> 500 'unsupported type text/x-nquads'",
                   r.status == 500 and "unsupported type text/x-nquads" in r.text, r)
        r = self.put(f"{T}jsonld", '{"@id": "http://papergraph.test/a", "http://papergraph.test/p": "x"}',
                     "application/ld+json")
        self.check("GSP PUT JSON-LD -> 500 (unsupported)", r.status == 500, r)
        r = self.w.request("PUT", self.gsp + "?default", f"<{T}a> <{T}p> \"1\" .\n".encode(),
                           {"Content-Type": "application/n-triples"})
        self.check("GSP ?default -> 500 (no default graph configured)", r.status == 500, r)
        # Malformed bodies: 500 with the loader's message, and what came before the error stays.
        good = "".join(f"<{T}s{i}> <{T}p> \"{i}\" .\n" for i in range(3000))
        r = self.put(f"{T}bad", good + f"<{T}s> <{T}p> \"unterminated .\n" + good)
        n = self.count(f"{T}bad")
        self.check("malformed N-Triples -> 500 'SP029: TURTLE RDF loader, line N: syntax error', NOT atomic",
                   r.status == 500 and "SP029" in r.text and 0 < n <= 3000, (r, n))
        r = self.put(f"{T}bad2", f"@prefix t: <{T}> .\nt:a t:p t:b t:c .\n", "text/turtle")
        self.check("a body Virtuoso cannot classify -> 500 'unsupported type ...' (misleading)",
                   r.status == 500 and "unsupported type" in r.text, r)
        if auth != "none":
            bad = Client(self.info["user"], "wrong-password", auth)
            r = self.put(f"{T}x", f"<{T}a> <{T}p> \"1\" .\n", client=bad)
            # The challenge: Digest on a 'digest' endpoint; on a 'basic' one Basic, except for curl
            # (User-Agent curl/...), which is offered Digest.
            scheme = "Digest " if auth == "digest" else "Basic "
            self.check(f"GSP with a wrong password -> 401, empty body, {scheme.strip()} challenge",
                       r.status == 401 and r.headers.get("WWW-Authenticate", "").startswith(scheme), r)
            r = self.put(f"{T}x", f"<{T}a> <{T}p> \"1\" .\n", client=self.anon)
            self.check("GSP -auth without credentials -> 401", r.status == 401, r)
            basic = Client(self.info["user"], self.info["password"], "basic")
            r = self.put(f"{T}x", f"<{T}a> <{T}p> \"1\" .\n", client=basic)
            expect = 201 if auth == "basic" else 401
            self.check(f"preemptive Basic with the right password -> {expect} (auth {auth})", r.status == expect, r)
            if auth == "basic":
                digest = Client(self.info["user"], self.info["password"], "digest", user_agent="curl/7.88.1")
                r = self.put(f"{T}x", f"<{T}a> <{T}p> \"2\" .\n", client=digest)
                self.check("Digest still accepted on a 'basic' endpoint", r.status == 200, r)
            r = self.put(f"{T}x", f"<{T}a> <{T}p> \"1\" .\n", client=self.anon,
                         url=self.gsp.replace("-auth", ""))
            self.check("anonymous PUT to /sparql-graph-crud -> 403 'SQ110: SECURITY: Permission denied'",
                       r.status == 403 and "SQ110" in r.text, r)
        r = self.w.request("DELETE", self.gsp + "?" + urllib.parse.urlencode({"graph": g}))
        self.check("GSP DELETE -> 200", r.status == 200 and self.count(g) == 0, r)
        r = self.w.request("DELETE", self.gsp + "?" + urllib.parse.urlencode({"graph": g}))
        self.check("GSP DELETE of an absent graph -> 404", r.status == 404, r)
        r = self.w.request("GET", self.gsp + "?" + urllib.parse.urlencode({"graph": g}))
        self.check("GSP GET of an absent graph -> 404", r.status == 404, r)
        r = self.put(f"{T}empty", "")
        r2 = self.w.request("GET", self.gsp + "?" + urllib.parse.urlencode({"graph": f"{T}empty"}))
        self.check("GSP PUT of an empty body -> 201, but the graph does not exist afterwards (GET 404)",
                   r.status == 201 and r2.status == 404, (r, r2))

    def sparql_update(self):
        auth = self.info["auth"]
        g = f"{T}upd"
        r = self.upd(f"INSERT DATA {{ GRAPH <{g}> {{ <{T}a> <{T}p> 1, 2 . <{T}b> <{T}p> \"s\" }} }}")
        self.check("INSERT DATA -> 200 with a one-row result set ('Insert into <g>, 3 (or less) triples -- done')",
                   r.status == 200 and "Insert into" in r.text and self.count(g) == 3, r)
        r = self.upd(f"DELETE {{ GRAPH <{g}> {{ ?s <{T}p> ?o }} }} INSERT {{ GRAPH <{g}> {{ ?s <{T}q> ?o }} }} "
                     f"WHERE {{ GRAPH <{g}> {{ ?s <{T}p> ?o FILTER(isNumeric(?o)) }} }}")
        n = self.count(g)
        self.check("DELETE/INSERT WHERE -> 200", r.status == 200 and n == 3, (r, n))
        r = self.upd(f"WITH <{g}> DELETE {{ ?s <{T}q> 2 }} WHERE {{ ?s <{T}q> 2 }} ; "
                     f"INSERT DATA {{ GRAPH <{g}> {{ <{T}c> <{T}p> 3 }} }}")
        self.check("WITH ... DELETE WHERE; second operation after ';' -> 200", r.status == 200 and self.count(g) == 3, r)
        body = urllib.parse.urlencode({"update": f"INSERT DATA {{ GRAPH <{g}> {{ <{T}d> <{T}p> 4 }} }}"}).encode()
        r = self.w.request("POST", self.update, body, {"Content-Type": "application/x-www-form-urlencoded"})
        self.check("form POST update= -> 200", r.status == 200 and self.count(g) == 4, r)
        r = self.upd(f"INSERT DATA {{ <{T}a> <{T}p> 1 }}")
        self.check("INSERT DATA without GRAPH -> 400 'SP031 ... No plain default graph'", r.status == 400 and "SP031" in r.text, r)
        r = self.upd(f"INSERT DATA {{ GRAPH <{g}> {{ <{T}a> <{T}p> 1 ")
        self.check("malformed update -> 400 text/plain SP030", r.status == 400 and "SP030" in r.text, r)
        r = self.upd(f"DROP GRAPH <{g}>")
        self.check("DROP GRAPH of a graph never CREATEd -> 500 'has not been explicitly created'",
                   r.status == 500 and "explicitly created" in r.text, r)
        r = self.upd(f"DROP SILENT GRAPH <{g}>")
        self.check("DROP SILENT GRAPH removes its triples", r.status == 200 and self.count(g) == 0, r)
        self.upd(f"INSERT DATA {{ GRAPH <{g}> {{ <{T}a> <{T}p> 1 }} }}")
        r = self.upd(f"CLEAR GRAPH <{g}>")
        self.check("CLEAR GRAPH -> 200, graph empty", r.status == 200 and self.count(g) == 0, r)
        if auth != "none":
            r = self.upd(f"INSERT DATA {{ GRAPH <{g}> {{ <{T}a> <{T}p> 1 }} }}", client=self.anon, url=self.sparql)
            self.check("anonymous update at /sparql -> 500 'SR186: SECURITY: No permission'",
                       r.status == 500 and "SR186" in r.text, r)
            r = self.upd(f"INSERT DATA {{ GRAPH <{g}> {{ <{T}a> <{T}p> 1 }} }}", client=self.anon)
            self.check("anonymous update at /sparql-auth -> 401", r.status == 401, r)

    def datasets(self):
        a, b = f"{T}da", f"{T}db"
        self.upd(f"INSERT DATA {{ GRAPH <{a}> {{ <{T}x> <{T}p> \"A\" }} GRAPH <{b}> {{ <{T}x> <{T}p> \"B\" }} }}")
        q = f"SELECT ?o WHERE {{ <{T}x> <{T}p> ?o }} ORDER BY ?o"
        vals = lambda rows: [r["o"]["value"] for r in rows]  # noqa: E731
        self.check("no FROM: the default graph is the union of all graphs", vals(self.rows(q)) == ["A", "B"])
        self.check("FROM <g> scopes the default graph",
                   vals(self.rows(q.replace("WHERE", f"FROM <{a}> WHERE"))) == ["A"])
        self.check("default-graph-uri= scopes it too", vals(self.rows(q, **{"default-graph-uri": b})) == ["B"])
        rows = self.rows(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{T}x> <{T}p> ?o }} }}", **{"named-graph-uri": a})
        self.check("named-graph-uri= restricts GRAPH ?g", [r["g"]["value"] for r in rows] == [a], rows)
        rows = self.rows(f"SELECT ?g FROM <{a}> WHERE {{ GRAPH ?g {{ <{T}x> <{T}p> ?o }} }} ORDER BY ?g")
        self.check("FROM without FROM NAMED leaves GRAPH ?g over all graphs (Oxigraph: none)",
                   [r["g"]["value"] for r in rows] == [a, b], rows)

    def terms(self):
        g = f"{T}terms"
        nt = f"""<{T}s> <{T}plain> "plain" .
<{T}s> <{T}xstr> "xstr"^^<{XSD}string> .
<{T}s> <{T}lang> "colour"@en-GB .
<{T}s> <{T}int> "007"^^<{XSD}integer> .
<{T}s> <{T}badint> "abc"^^<{XSD}integer> .
<{T}s> <{T}big> "10000000000000000000000"^^<{XSD}integer> .
<{T}s> <{T}xint> "5"^^<{XSD}int> .
<{T}s> <{T}dec> "1.50"^^<{XSD}decimal> .
<{T}s> <{T}dbl> "0.123456789012345"^^<{XSD}double> .
<{T}s> <{T}dble> "1.5E0"^^<{XSD}double> .
<{T}s> <{T}bool> "true"^^<{XSD}boolean> .
<{T}s> <{T}dt> "2024-01-31T12:34:56Z"^^<{XSD}dateTime> .
<{T}s> <{T}json> "{{\\"a\\": [1, 2]}}"^^<{RDF}JSON> .
<{T}s> <{T}custom> "abc"^^<{T}myType> .
<{T}s> <{T}esc> "line1\\nline2\\ttab \\"q\\" \\\\ back" .
<{T}s> <{T}uni> "caf\\u00E9 \\U0001F600 \u65e5\u672c" .
<{T}s> <{T}bnode> _:b1 .
_:b1 <{T}label> "blank" .
<{T}s> <{T}iri> <{T}a%20b?c=d&e#f> .
<{T}s> <{T}iri2> <{T}caf\\u00E9> .
<{T}s> <{T}iri3> <{T}with(paren)and'quote> .
"""
        r = self.put(g, nt)
        self.check("term zoo loads", r.status == 201, r)
        rows = self.rows(f"SELECT ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
        o = {r["p"]["value"][len(T):]: r["o"] for r in rows}
        self.check('plain literal -> {"type": "literal"}', o["plain"] == {"type": "literal", "value": "plain"}, o["plain"])
        self.check('explicit ^^xsd:string is kept as a distinct typed-literal (RDF 1.0 style)',
                   o["xstr"] == {"type": "typed-literal", "datatype": XSD + "string", "value": "xstr"}, o["xstr"])
        self.check('typed literals use "type": "typed-literal"', o["custom"]["type"] == "typed-literal", o["custom"])
        self.check("language tags are lower-cased (en-GB -> en-gb; Oxigraph does the same)",
                   o["lang"].get("xml:lang") == "en-gb", o["lang"])
        self.check('xsd:integer is canonicalised ("007" -> "7")', o["int"]["value"] == "7", o["int"])
        self.check('an invalid xsd:integer ("abc") is stored as 0', o["badint"]["value"] == "0", o["badint"])
        self.check("an integer beyond 64 bits comes back as xsd:decimal",
                   o["big"].get("datatype") == XSD + "decimal", o["big"])
        self.check("xsd:int keeps its datatype", o["xint"].get("datatype") == XSD + "int", o["xint"])
        self.check('xsd:decimal is canonicalised ("1.50" -> "1.5")', o["dec"]["value"] == "1.5", o["dec"])
        self.check("xsd:double is printed with 6 significant digits in results (0.123456789012345 -> 0.123457)",
                   o["dbl"]["value"] == "0.123457", o["dbl"])
        s = self.one(f"SELECT (STR(?o) AS ?s) WHERE {{ GRAPH <{g}> {{ ?x <{T}dbl> ?o }} }}")
        self.check("STR(?double) gives the full value", s.get("s", {}).get("value") == "0.123456789012345", s)
        self.check('xsd:double "1.5E0" -> "1.5"', o["dble"]["value"] == "1.5", o["dble"])
        self.check('xsd:boolean true -> "1" in JSON results', o["bool"]["value"] == "1", o["bool"])
        self.check("rdf:JSON and custom datatypes round-trip", o["json"]["value"] == '{"a": [1, 2]}'
                   and o["json"]["datatype"] == RDF + "JSON" and o["custom"]["datatype"] == T + "myType", o["json"])
        self.check("escapes and non-BMP characters round-trip", o["esc"]["value"] == 'line1\nline2\ttab "q" \\ back'
                   and o["uni"]["value"] == "caf\u00e9 \U0001F600 \u65e5\u672c", (o["esc"], o["uni"]))
        self.check('blank nodes come back as "nodeID://bNNN" (not a valid label for oxrdf BlankNode::new)',
                   o["bnode"]["type"] == "bnode" and o["bnode"]["value"].startswith("nodeID://"), o["bnode"])
        self.check("IRIs with %, ?, &, #, non-ASCII, ', () round-trip",
                   o["iri"]["value"] == f"{T}a%20b?c=d&e#f" and o["iri2"]["value"] == f"{T}caf\u00e9"
                   and o["iri3"]["value"] == f"{T}with(paren)and'quote", (o["iri"], o["iri2"], o["iri3"]))
        nt_out = self.get(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
                          accept="application/n-triples")
        self.check("CONSTRUCT Accept application/n-triples -> N-Triples, non-ASCII as \\u escapes, bnodes _:bNNN",
                   nt_out.status == 200 and nt_out.headers.get("Content-Type", "").startswith("application/n-triples")
                   and "caf\\u00E9" in nt_out.text and "_:b" in nt_out.text, nt_out)
        self.check('CONSTRUCT N-Triples prints xsd:boolean as "true" and doubles with 6 digits',
                   f'"true"^^<{XSD}boolean>' in nt_out.text and f'"0.123457"^^<{XSD}double>' in nt_out.text, nt_out.text)
        ttl = self.get(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", accept="text/turtle")
        self.check("CONSTRUCT Accept text/turtle -> Turtle", ttl.status == 200
                   and ttl.headers.get("Content-Type", "").startswith("text/turtle"), ttl)
        r = self.get("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", accept="application/n-quads")
        self.check("CONSTRUCT Accept application/n-quads -> 406", r.status == 406, r)

        # Comparisons and expressions.
        def val(expr: str, where: str = ""):
            b = self.one(f"SELECT ({expr} AS ?v) WHERE {{ {where} }}")
            return b.get("v")
        rows = self.rows(f'SELECT ?p WHERE {{ GRAPH <{g}> {{ ?s ?p "xstr" }} }}')
        self.check('pattern "xstr" does not match the stored "xstr"^^xsd:string', rows == [], rows)
        rows = self.rows(f'SELECT ?p WHERE {{ GRAPH <{g}> {{ ?s ?p ?o FILTER(?o = "xstr") }} }}')
        self.check('FILTER(?o = "xstr") does not match it either', rows == [], rows)
        v = val('"a" = "a"^^xsd:string')
        self.check('but the constant expression "a" = "a"^^xsd:string is true (as 1)', v and v["value"] == "1", v)
        v = val("1 = 1")
        self.check('boolean expressions come back as xsd:integer 1/0, not xsd:boolean',
                   v == {"type": "typed-literal", "datatype": XSD + "integer", "value": "1"}, v)
        v = val("true")
        self.check("even the constant true is xsd:integer 1", v and v["value"] == "1" and v["datatype"] == XSD + "integer", v)
        v = val("1/2")
        self.check("1/2 is integer division: 0 (SPARQL: 0.5)", v and v["value"] == "0", v)
        v = val("1.0/3")
        self.check("decimal division keeps 15 digits (0.333333333333333)", v and v["value"] == "0.333333333333333", v)
        v = val('DATATYPE("x"@en)')
        self.check("DATATYPE of a language-tagged literal is unbound (not rdf:langString)", v is None, v)
        v = val('ENCODE_FOR_URI("a b/\u00e9")')
        self.check("ENCODE_FOR_URI is wrong for non-ASCII (leaves it, appends %00)",
                   v and v["value"] != "a%20b%2F%C3%A9", v)
        r = self.get("SELECT (BNODE() AS ?b) WHERE {}")
        self.check("BNODE() is not implemented (400 'Built-in function is not implemented')",
                   r.status == 400 and "not implemented" in r.text, r)
        r = self.get('SELECT (GROUP_CONCAT(?x) AS ?c) WHERE { VALUES ?x { "a" "b" } }')
        self.check("GROUP_CONCAT without SEPARATOR fails (500 'Required argument delim')",
                   r.status == 500 and "delim" in r.text, r)
        v = val('GROUP_CONCAT(DISTINCT ?x; separator=", ")', 'VALUES ?x { "a" "b" "a" }')
        self.check("GROUP_CONCAT(DISTINCT ...; separator=...) works", v and sorted(v["value"].split(", ")) == ["a", "b"], v)
        b = self.one("SELECT (COUNT(*) AS ?n) (SUM(?x) AS ?s) (MAX(?x) AS ?m) (GROUP_CONCAT(?x; separator=',') AS ?c) "
                     f"WHERE {{ GRAPH <{g}> {{ ?s <{T}nothing> ?x }} }}")
        self.check("aggregates over no rows without GROUP BY: one row, COUNT 0 (xsd:integer), SUM unbound (SPARQL: 0), "
                   "GROUP_CONCAT \"\"", b.get("n", {}).get("value") == "0" and b["n"]["datatype"] == XSD + "integer"
                   and "s" not in b and "m" not in b and b.get("c", {}).get("value") == "", b)
        rows = self.rows(f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s <{T}nothing> ?x }} }} GROUP BY ?s")
        self.check("with GROUP BY over no rows: no row", rows == [], rows)
        b = self.one(f'SELECT (SUM(?o) AS ?s) (COUNT(?o) AS ?n) WHERE {{ GRAPH <{g}> {{ ?x ?p ?o FILTER(isNumeric(?o)) }} }}')
        self.check("isNumeric(true) is true: a stored xsd:boolean counts as a number",
                   b.get("n", {}).get("value") == "8", b)
        rows = self.rows('SELECT ?o WHERE { VALUES ?o { "b" 2 <http://x/> "a"@en 1.5 "B" } } ORDER BY ?o')
        order = [r["o"]["value"] for r in rows]
        self.check("ORDER BY over mixed kinds: strings, lang strings, IRIs, then numbers (SPARQL/Oxigraph: IRIs first)",
                   order == ["B", "b", "a", "http://x/", "1.5", "2"], order)
        rows = self.rows('SELECT ?o WHERE { VALUES ?o { "b" "a" "B" "\u00e9" "Z" } } ORDER BY ?o')
        self.check("strings sort by code point (B Z a b \u00e9), like Oxigraph",
                   [r["o"]["value"] for r in rows] == ["B", "Z", "a", "b", "\u00e9"], rows)

    def long_literals(self):
        rnd = random.Random(7)
        s = "".join(rnd.choice(string.ascii_letters + ' \u00e9\u65e5"\\\n') for _ in range(200_000))
        esc = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        line = f'<{T}s> <{T}long> "{esc}" .\n'
        q = f"SELECT ?o WHERE {{ GRAPH <{T}long> {{ ?s <{T}long> ?o }} }}"
        r = self.put(f"{T}long", line)
        self.check("a 200 kB literal as plain N-Triples -> 500 'unsupported type text/plain' "
                   "(the first 64 KiB are sniffed, whatever the Content-Type)",
                   r.status == 500 and "unsupported type text/plain" in r.text, r)
        r = self.put(f"{T}long", f"@prefix t: <{T}> .\n" + line, "text/turtle")
        ok = r.status == 201 and self.rows(q)[0]["o"]["value"] == s
        self.check("the same body starting with an @prefix line loads, and the 200 kB literal round-trips (JSON)", ok, r)
        x = self.get(q, accept="application/sparql-results+xml")
        self.check("... and XML results carry it whole", x.status == 200 and len(x.body) > 200_000, len(x.body))
        self.upd(f"DROP SILENT GRAPH <{T}long>")
        r = self.upd(f'INSERT DATA {{ GRAPH <{T}long> {{ <{T}s> <{T}long> "{esc}" }} }}')
        self.check("INSERT DATA with the 200 kB literal round-trips",
                   r.status == 200 and self.rows(q)[0]["o"]["value"] == s, r)
        filler = "".join(f"<{T}f{i}> <{T}p> \"x\" .\n" for i in range(2000))
        r = self.put(f"{T}long2", filler + line)
        self.check("a long literal after the first 64 KiB is fine in plain N-Triples",
                   r.status == 201 and self.count(f"{T}long2") == 2001, r)

    def features(self):
        g = f"{T}kg"
        ttl = f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix t: <{T}> .
t:c1 a skos:Concept ; skos:prefLabel "root"@en .
t:c2 a skos:Concept ; skos:broader t:c1 ; skos:prefLabel "child"@en .
t:c3 a skos:Concept ; skos:broader t:c2 ; skos:prefLabel "grandchild"@en .
t:c4 a skos:Concept ; skos:broader t:c2 .
t:p1 a t:Paper ; t:topic t:c3, t:c4 ; t:year 2023 ; t:title "Paper one" .
t:p2 a t:Paper ; t:topic t:c2 ; t:year 2024 ; t:title "Paper two" .
t:p3 a t:Paper ; t:year 2022 .
"""
        self.check("SKOS sample loads", self.put(g, ttl, "text/turtle").status == 201)
        P = f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX t: <{T}> "
        F = f"FROM <{g}> "

        def scoped(q):  # FROM <g> goes before the first WHERE
            return P + q.replace(F, "").replace(" WHERE ", f" {F}WHERE ", 1)

        def col(q, var):
            return [r[var]["value"][len(T):] if r[var]["type"] == "uri" else r[var]["value"]
                    for r in self.rows(scoped(q)) if var in r]
        self.check("skos:broader* from a bound start (includes itself)",
                   col(F + "SELECT ?a WHERE { t:c3 skos:broader* ?a } ORDER BY ?a", "a") == ["c1", "c2", "c3"])
        self.check("skos:broader* to a bound end",
                   col(F + "SELECT ?x WHERE { ?x skos:broader* t:c2 } ORDER BY ?x", "x") == ["c2", "c3", "c4"])
        self.check("skos:broader+ excludes the start",
                   col(F + "SELECT ?a WHERE { t:c3 skos:broader+ ?a } ORDER BY ?a", "a") == ["c1", "c2"])
        r = self.get(scoped("SELECT (COUNT(*) AS ?n) WHERE { ?x skos:broader* ?a }"))
        self.check("?x skos:broader* ?a with both ends free and nothing else binding them -> 500 "
                   "'transitive start not given'", r.status == 500 and "transitive start not given" in r.text, r)
        n = col(F + "SELECT (COUNT(*) AS ?n) WHERE { ?p t:topic ?c . ?c skos:broader* ?a }", "n")
        self.check("... fine when a join binds one end (8 rows, duplicates kept as SPARQL says)", n == ["8"], n)
        rows = self.rows(scoped("SELECT DISTINCT ?t WHERE { t:p1 t:topic/a ?t }"))
        self.check("`a` inside a path (t:topic/a)",
                   [r["t"]["value"] for r in rows] == ["http://www.w3.org/2004/02/skos/core#Concept"], rows)
        self.check("alternative, inverse paths", col(F + "SELECT ?p WHERE { t:c2 ^t:topic ?p }", "p") == ["p2"])
        self.check("VALUES + OPTIONAL", col(F + "SELECT ?c ?l WHERE { VALUES ?c { t:c1 t:c4 } "
                                                "OPTIONAL { ?c skos:prefLabel ?l } } ORDER BY ?c", "l") == ["root"])
        self.check("BIND arithmetic", col(F + "SELECT ?y WHERE { t:p1 t:year ?x BIND(?x + 1 AS ?y) }", "y") == ["2024"])
        self.check("FILTER NOT EXISTS", col(F + "SELECT ?p WHERE { ?p a t:Paper FILTER NOT EXISTS "
                                                "{ ?p t:topic ?c } }", "p") == ["p3"])
        self.check("MINUS", col(F + "SELECT ?p WHERE { ?p a t:Paper MINUS { ?p t:topic ?c } }", "p") == ["p3"])
        self.check("COUNT(DISTINCT) vs COUNT",
                   col(F + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?p t:topic/skos:broader* ?c }", "n") == ["4"])
        b = self.one(scoped("SELECT (COUNT(?p) AS ?n) (AVG(?y) AS ?a) WHERE { ?p t:year ?y }"))
        self.check("aggregation without GROUP BY; AVG of integers is xsd:decimal",
                   b["n"]["value"] == "3" and b["a"] == {"type": "typed-literal", "datatype": XSD + "decimal",
                                                        "value": "2023"}, b)
        self.check("HAVING", col(F + "SELECT ?p WHERE { ?p t:topic ?c } GROUP BY ?p HAVING (COUNT(?c) > 1)", "p") == ["p1"])
        v = col(F + "SELECT ?b WHERE { t:p3 a t:Paper BIND(EXISTS { t:p3 t:title ?t } AS ?b) }", "b")
        self.check("EXISTS as a value -> 0/1 integers", v == ["0"], v)

    def run(self):
        for part in (self.system_graphs, self.query_protocol, self.graph_store, self.sparql_update,
                     self.datasets, self.terms, self.long_literals, self.features):
            try:
                part()
            except Exception as e:  # one broken part must not hide the others
                self.check(f"{part.__name__} ran to the end", False, repr(e))


# -- measurements -------------------------------------------------------------------------------------

def synthetic(first: int, count: int) -> bytes:
    """`count` paper-graph-like triples: 5 per paper (type, title, year, topic, cites)."""
    out = []
    for i in range(first // 5, (first + count + 4) // 5):
        p = f"<{T}paper/{i}>"
        out += [f"{p} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{T}Paper> .",
                f'{p} <http://purl.org/dc/terms/title> "Synthetic paper {i} on attention and KV caches" .',
                f'{p} <{T}year> "{2000 + i % 25}"^^<{XSD}integer> .',
                f"{p} <http://schema.org/mentions> <{T}concept/{i % 997}> .",
                f"{p} <{T}cites> <{T}paper/{(i * 7919) % 1000003}> ."]
    return ("\n".join(out[: count]) + "\n").encode()


def measure(s: Suite, total: int = 1_000_000, chunks=(10_000, 50_000, 100_000)) -> None:
    print("-- request body sizes (GSP PUT, N-Triples)", flush=True)
    # Not 50 MB: one request of ~350k triples or more can deadlock Virtuoso 7.2 (VIRTUOSO.md).
    for mb in (1, 10, 25):
        n = mb * 1_000_000 // 110
        body = synthetic(0, n)
        t = time.monotonic()
        r = s.put(f"{T}size{mb}", body)
        dt = time.monotonic() - t
        stored = s.count(f"{T}size{mb}")
        s.check(f"{len(body) / 1e6:.1f} MB body ({n} triples) -> {r.status} in {dt:.1f} s "
                f"({n / dt:,.0f} triples/s)", r.status in (200, 201) and stored == n, (r, stored))
        s.upd(f"DROP SILENT GRAPH <{T}size{mb}>")
    print(f"-- loading {total:,} triples by GSP POST", flush=True)
    for chunk in chunks:
        g = f"{T}load{chunk}"
        bodies = [synthetic(first, min(chunk, total - first)) for first in range(0, total, chunk)]
        t0 = time.monotonic()
        for first, body in zip(range(0, total, chunk), bodies):
            r = s.put(g, body, method="POST")
            if r.status not in (200, 201):
                s.check(f"POST chunk at {first}", False, r)
                break
        dt = time.monotonic() - t0
        stored = s.count(g)
        s.check(f"{chunk:>7,} triples/request: {total:,} triples in {dt:.1f} s = {total / dt:,.0f} triples/s",
                stored == total, stored)
        t = time.monotonic()
        s.upd(f"DROP SILENT GRAPH <{g}>")
        print(f"     DROP SILENT GRAPH of {total:,} triples: {time.monotonic() - t:.1f} s", flush=True)


def run(info: dict, bench: bool = False) -> bool:
    s = Suite(info)
    s.run()
    if bench:
        try:
            measure(s)
        except Exception as e:
            s.check("bench ran to the end", False, repr(e))
    print(f"{s.passed} passed, {s.failed} failed", flush=True)
    return s.failed == 0
