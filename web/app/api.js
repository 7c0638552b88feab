// JSON API calls and the links between the explorer's views.
import { h } from "./dom.js";

/** An API error: HTTP status, message, and for an ambiguous name (409) the candidates. */
class ApiError extends Error {
  constructor(status, message, candidates = []) {
    super(message);
    this.status = status;
    this.candidates = candidates;
  }
}

/** GETs path?params and returns its JSON; throws ApiError on an error status. */
export async function api(path, params = {}, { signal } = {}) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(query ? `${path}?${query}` : path, { signal, headers: { Accept: "application/json" } });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: an error page in plain text
  }
  if (!response.ok) {
    throw new ApiError(response.status, body?.error ?? (text.trim() || response.statusText), body?.candidates ?? []);
  }
  if (body === null) throw new ApiError(response.status, `${path} did not answer JSON`);
  return body;
}

const CONCEPT_NS = "https://w3id.org/papergraph/concept/";
const PAPER_NS = "https://w3id.org/papergraph/id/paper/";
const REPO_NS = "https://w3id.org/papergraph/id/repo/";

/** Encodes a route argument, keeping IRIs and owner/name readable ("?" and "#" are escaped). */
const arg = (value) => encodeURIComponent(value).replace(/%2F/g, "/").replace(/%3A/g, ":").replace(/%40/g, "@");

/** Hash links of the views. */
export const link = {
  concept: (nameOrIri) => `#/concept/${arg(nameOrIri)}`,
  paper: (queryOrIri) => `#/paper/${arg(queryOrIri)}`,
  repo: (name) => `#/repo/${arg(name)}`,
  graph: (concept, depth = 1) => `#/graph/${arg(concept)}?depth=${depth}`,
  sparql: (canned) => (canned ? `#/sparql/${arg(canned)}` : "#/sparql"),
};

/** A repository as shown: "owner/name", "host/owner/name" off GitHub; from a URL or such a name. */
export const repoName = (repo) => repo.replace(/^[a-z]+:\/\//, "").replace(/^(www\.)?github\.com\//, "").replace(/\/$/, "");

/** The explorer page of a resource, from its IRI; null when it has none (methods, datasets, ...). */
export function pageOf(iri) {
  if (iri.startsWith(CONCEPT_NS)) return link.concept(iri);
  if (iri.startsWith(PAPER_NS)) return link.paper(iri);
  if (iri.startsWith(REPO_NS)) return link.repo(iri.slice(REPO_NS.length)); // host/owner/name
  return null;
}

/** The page of a view whose lookup failed: a heading, the error, and extra nodes. */
export function errorPage(heading, error, route, ...extra) {
  return { title: heading, node: h("section", {}, h("h1", {}, heading), errorBox(error, route), extra), failed: true };
}

/**
 * An error message; for an ambiguous name, the candidates ({iri, label, matched} concepts or
 * {iri, title} papers) as links made by route(iri or label).
 */
function errorBox(error, route) {
  const box = h("div", { class: "error", role: "alert" },
    h("p", {}, error.status && ![404, 409].includes(error.status) ? `${error.message} (HTTP ${error.status})` : String(error.message ?? error)));
  if (error.candidates?.length && route) {
    box.append(
      h("p", {}, "Did you mean:"),
      h("ul", { class: "candidates" }, error.candidates.map(({ iri, label = "", title, matched }) => h("li", {},
        h("a", { href: route(iri || label || title) }, label || title),
        matched && matched.toLowerCase() !== label.toLowerCase()
          ? h("span", { class: "muted" }, ` (matched “${matched}”)`) : null))),
    );
  }
  return box;
}
