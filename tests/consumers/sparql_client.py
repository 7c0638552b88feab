"""Talks to `papergraph serve` as independent SPARQL 1.1 Protocol clients do (SPARQLWrapper,
rdflib's SPARQLStore, plain HTTP) and prints a JSON report for tests/it/serve.rs to check.

    python3 sparql_client.py http://127.0.0.1:PORT

Every result format, GET / POST form / POST query, an update (refused), a syntax error, a query
past the server's time limit, the service description and concurrent clients.
"""

import concurrent.futures
import csv
import io
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

SELECT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept ?label WHERE { ?concept a skos:Concept ; skos:prefLabel ?label } ORDER BY ?concept"""
ASK = "ASK { ?s a <https://schema.org/ScholarlyArticle> }"
CONSTRUCT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?c skos:broader ?b } WHERE { ?c skos:broader ?b }"""
# A cross product the bundled store cannot finish within a second.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def wrapper(endpoint, query, return_format, method=None):
    client = SPARQLWrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    if method:
        client.setMethod(POST)
        client.setRequestMethod(method)
    return client.query()


def rows_from_json(results):
    names = results["head"]["vars"]
    return [[binding.get(n, {}).get("value", "") for n in names] for binding in results["results"]["bindings"]]


def rows_from_xml(document):
    names = [v.getAttribute("name") for v in document.getElementsByTagName("variable")]
    rows = []
    for result in document.getElementsByTagName("result"):
        values = {}
        for binding in result.getElementsByTagName("binding"):
            node = next(c for c in binding.childNodes if c.nodeType == c.ELEMENT_NODE)
            values[binding.getAttribute("name")] = "".join(t.data for t in node.childNodes if t.nodeType == t.TEXT_NODE)
        rows.append([values.get(n, "") for n in names])
    return rows


def rows_from_tsv(text):
    lines = text.decode() if isinstance(text, bytes) else text
    out = []
    for line in lines.splitlines()[1:]:
        out.append([cell.strip("<>").split('"')[1] if cell.startswith('"') else cell.strip("<>") for cell in line.split("\t")])
    return out


def http(url, data=None, headers=None, method=None):
    """(status, content type, body) of a request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def main():
    base = sys.argv[1].rstrip("/")
    endpoint = base + "/sparql"
    report = {}

    # SELECT in every results format, through SPARQLWrapper (GET), and by POST.
    select = {}
    select["json"] = rows_from_json(wrapper(endpoint, SELECT, JSON).convert())
    select["xml"] = rows_from_xml(wrapper(endpoint, SELECT, XML).convert())
    select["csv"] = [row for row in csv.reader(io.StringIO(wrapper(endpoint, SELECT, CSV).convert().decode()))][1:]
    select["tsv"] = rows_from_tsv(wrapper(endpoint, SELECT, TSV).convert())
    select["json_post_form"] = rows_from_json(wrapper(endpoint, SELECT, JSON, URLENCODED).convert())
    select["json_post_direct"] = rows_from_json(wrapper(endpoint, SELECT, JSON, POSTDIRECTLY).convert())
    report["select"] = select

    report["ask"] = {
        "json": wrapper(endpoint, ASK, JSON).convert()["boolean"],
        "xml": wrapper(endpoint, ASK, XML).convert().getElementsByTagName("boolean")[0].firstChild.data == "true",
    }

    # CONSTRUCT in every RDF format the endpoint writes, each parsed by rdflib.
    construct = {}
    construct["turtle"] = len(rdflib.Graph().parse(data=wrapper(endpoint, CONSTRUCT, TURTLE).convert(), format="turtle"))
    construct["rdfxml"] = len(wrapper(endpoint, CONSTRUCT, XML).convert())
    construct["jsonld"] = len(wrapper(endpoint, CONSTRUCT, JSONLD).convert())
    url = endpoint + "?" + urllib.parse.urlencode({"query": CONSTRUCT})
    status, content_type, body = http(url, headers={"Accept": "application/n-triples"})
    construct["ntriples"] = len(rdflib.Graph().parse(data=body.decode(), format="nt"))
    construct["ntriples_content_type"] = content_type
    report["construct"] = construct

    # rdflib's own SPARQL store as a client.
    store = SPARQLStore(endpoint)
    report["rdflib_store_rows"] = len(list(store.query(SELECT)))

    # Refused, malformed, unacceptable.
    status, _, body = http(endpoint, data=urllib.parse.urlencode({"update": "INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    report["update"] = {"status": status, "message": body.decode()}
    status, _, body = http(endpoint, data=b"DELETE WHERE { ?s ?p ?o }", headers={"Content-Type": "application/sparql-update"})
    report["update_direct"] = {"status": status, "message": body.decode()}
    status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE { ?x ?y }"}))
    report["syntax"] = {"status": status, "message": body.decode()}
    status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": ASK}), headers={"Accept": "text/html"})
    report["not_acceptable"] = {"status": status, "message": body.decode()}

    # A query past the time limit, then the server still answers.
    started = time.monotonic()
    status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": SLOW}))
    report["timeout"] = {"status": status, "message": body.decode(), "seconds": round(time.monotonic() - started, 2)}
    report["after_timeout"] = wrapper(endpoint, ASK, JSON).convert()["boolean"]

    # The service description, read by rdflib.
    status, content_type, body = http(endpoint, headers={"Accept": "text/turtle"})
    description = rdflib.Graph().parse(data=body.decode(), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    report["service_description"] = {
        "status": status,
        "endpoints": [str(o) for o in description.objects(None, sd.endpoint)],
        "result_formats": len(list(description.objects(None, sd.resultFormat))),
    }

    # Many clients at once.
    def one(i):
        status, _, body = http(endpoint + "?" + urllib.parse.urlencode({"query": SELECT}), headers={"Accept": "application/sparql-results+json"})
        return status == 200 and len(json.loads(body)["results"]["bindings"]) == len(select["json"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, range(64)))
    report["concurrent"] = {"requests": len(answers), "ok": sum(answers)}

    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
