// SPARQL view: YASGUI on the store's /sparql endpoint, and the canned queries of /api/queries.
import { api, errorPage, link } from "./api.js";
import { fill, h, loadScript, loadStyle, plural } from "./dom.js";
import { autocomplete } from "./search.js";

const YASGUI_JS = "/assets/vendor/yasgui/yasgui.min.js";
const YASGUI_CSS = "/assets/vendor/yasgui/yasgui.min.css";

/** The prefixes papergraph declares for every query (src/rdf/vocab.rs). */
const PREFIXES = {
  pg: "https://w3id.org/papergraph/vocab#",
  pgid: "https://w3id.org/papergraph/id/",
  concept: "https://w3id.org/papergraph/concept/",
  dataset: "https://w3id.org/papergraph/dataset/",
  schema: "https://schema.org/",
  dcterms: "http://purl.org/dc/terms/",
  skos: "http://www.w3.org/2004/02/skos/core#",
  prov: "http://www.w3.org/ns/prov#",
  rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
  xsd: "http://www.w3.org/2001/XMLSchema#",
};

const STARTER = `SELECT ?concept ?label ?papers WHERE {
  GRAPH pgid:statistics { ?concept pg:paperCount ?papers }
  ?concept skos:prefLabel ?label .
}
ORDER BY DESC(?papers)
LIMIT 20`;

/**
 * A query with PREFIX lines for the papergraph prefixes it uses and does not declare, after its
 * leading comments (the server knows them too, but the editor and other endpoints do not).
 */
function withPrefixes(text) {
  const lines = text.split("\n");
  const code = lines.filter((line) => !line.trimStart().startsWith("#")).join("\n");
  const declared = new Set([...code.matchAll(/^\s*PREFIX\s+([\w-]*):/gim)].map((m) => m[1]));
  const used = Object.keys(PREFIXES).filter((p) => !declared.has(p) && new RegExp(`(?<![\\w.-])${p}:`).test(code));
  if (!used.length) return text;
  const comments = lines.findIndex((line) => !line.startsWith("#"));
  const head = lines.slice(0, comments < 0 ? lines.length : comments);
  return [...head, ...used.map((p) => `PREFIX ${p}: <${PREFIXES[p]}>`), ...lines.slice(head.length)].join("\n");
}

/** The view's state survives navigation: the editor keeps its tabs, query and results. */
let state = null;

async function setUp(signal) {
  loadStyle(YASGUI_CSS);
  const [queries] = await Promise.all([api("/api/queries", {}, { signal }), loadScript(YASGUI_JS)]);
  const list = h("ul", { class: "canned-list" }, queries.map((q) => h("li", {},
    h("a", { href: link.sparql(q.name), dataset: { name: q.name }, title: q.description },
      h("span", { class: "name" }, q.name), h("span", { class: "description" }, q.description)))));
  const form = h("form", { id: "canned-params", class: "query-panel" });
  const status = h("span", { id: "sparql-status", "aria-live": "polite" });
  const editor = h("div", { id: "yasgui" });
  const node = h("section", { class: "sparql" },
    h("aside", { class: "canned" }, h("h2", {}, "Canned queries"), list),
    h("div", { class: "workbench" }, form, editor));
  state = { node, queries, list, form, status, editor, yasgui: null };
}

/** The status line: the row count of the current tab's results (#sparql-count), or its error. */
function showOutcome() {
  const results = state.yasgui.getTab().getYasr().results;
  if (!results) {
    fill(state.status);
  } else if (results.hasError()) {
    // Errors of the editor's requests carry the response text only, not the status.
    const { status, text } = results.getError();
    const message = `Query failed${status ? ` (HTTP ${status})` : ""}: ${text.trim()}`;
    fill(state.status, h("span", { id: "sparql-error", class: "error-inline", title: message }, message));
  } else {
    const answer = results.getBoolean();
    const rows = answer === undefined ? results.getBindings().length : 1;
    fill(state.status,
      h("span", { id: "sparql-count", dataset: { rows } }, answer === undefined ? plural(rows, "row") : `Answer: ${answer}`),
      ` in ${results.getResponseTime()} ms`);
  }
}

function createYasgui() {
  // An absolute endpoint, which YASGUI parses as a URL; the tabs it persists are per origin.
  const endpoint = new URL("/sparql", location.href).href;
  // Offline: one endpoint; no Linked Open Vocabularies autocompletion (the "property" and "class"
  // autocompleters); prefixes completed (and declared when a prefixed name is typed) from
  // papergraph's own list, handed over as a data: URL instead of prefix.cc (YASQE's bundled list
  // would declare schema: as http://schema.org/); no share links (hidden by style.css: they need
  // ?query= URLs, which the explorer does not read).
  const { Yasgui } = window;
  // Set on the defaults: YASGUI and YASQE merge configurations with lodash's merge, which merges
  // arrays index by index, so a shorter list given in the configuration would not remove these.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const yasgui = new Yasgui(state.editor, {
    requestConfig: { endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json", acceptHeaderGraph: "text/turtle" },
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    populateFromUrl: false,
    persistenceId: "papergraph-sparql",
    autofocus: false,
    yasqe: { value: withPrefixes(STARTER), prefixCcApi: `data:application/json,${encodeURIComponent(JSON.stringify(PREFIXES))}`, editorHeight: "260px" },
    yasr: { prefixes: PREFIXES },
  });
  yasgui.on("query", () => fill(state.status, "Running…"));
  // Both fire before the tab's results view has the new results.
  yasgui.on("queryResponse", () => setTimeout(showOutcome));
  yasgui.on("tabSelect", () => setTimeout(showOutcome));
  return yasgui;
}

/**
 * Fills the panel above the editor: the chosen canned query (loaded into the editor) with its
 * parameters, or, without one, a hint. Run sends the editor's text to /sparql, or with parameters
 * filled, the stored query with them bound.
 */
function showPanel(name) {
  const q = state.queries.find((q) => q.name === name);
  for (const a of state.list.querySelectorAll("a")) a.classList.toggle("active", a.dataset.name === name);
  if (q) state.yasgui.getTab().setQuery(withPrefixes(q.text));
  const params = (q?.params ?? []).map((p) => ({ p, input: h("input", { name: p.name, placeholder: p.kind, "aria-describedby": `param-${p.name}-help` }) }));
  const button = h("button", { type: "submit", id: "run-query" }, "Run");
  const relabel = () => {
    button.textContent = params.some(({ input }) => input.value.trim()) ? "Run the stored query with these parameters" : "Run";
  };
  state.form.oninput = relabel;
  state.form.onsubmit = (event) => {
    event.preventDefault();
    const values = Object.fromEntries(params.filter(({ input }) => input.value.trim()).map(({ p, input }) => [p.name, input.value.trim()]));
    if (Object.keys(values).length) runCanned(q.name, values);
    else state.yasgui.getTab().query().catch(() => {}); // the results view shows the error
  };
  fill(state.form,
    q ? [h("h2", {}, q.name), h("p", { class: "muted" }, q.description)]
      : [h("h2", {}, "SPARQL"), h("p", { class: "muted" }, name
        ? `No canned query is named “${name}”.`
        : "Write a query (the papergraph prefixes pg:, pgid:, concept:, schema:, dcterms:, skos: ... are known) or pick a canned one.")],
    params.map(({ p, input }) => h("div", { class: "param" },
      h("label", {}, h("span", {}, `${p.name} (${p.kind})`), h("span", { class: "field" }, input)),
      h("p", { id: `param-${p.name}-help`, class: "help" }, p.help))),
    params.length ? h("p", { class: "help" }, "Empty parameters stay unbound and match everything.") : null,
    h("div", { class: "run-row" }, button, state.status));
  for (const { p, input } of params) {
    if (p.kind === "concept") autocomplete(input, {
      onChoose: (option) => {
        input.value = option.label;
        relabel();
      },
    });
  }
}

/** The message of an error response: {"error": ...} JSON or plain text. */
function errorText(body) {
  try {
    return JSON.parse(body).error ?? body;
  } catch {
    return body;
  }
}

/** Runs a stored query with bound parameters (GET /api/queries/NAME) into the current tab. */
async function runCanned(name, values) {
  fill(state.status, "Running…");
  const started = performance.now();
  const yasr = state.yasgui.getTab().getYasr();
  try {
    const response = await fetch(`/api/queries/${encodeURIComponent(name)}?${new URLSearchParams(values)}`,
      { headers: { Accept: "application/sparql-results+json" } });
    const text = await response.text();
    const executionTime = Math.round(performance.now() - started);
    yasr.setResponse(response.ok
      ? { data: text, contentType: response.headers.get("Content-Type"), status: response.status, executionTime }
      : { error: { status: response.status, statusText: response.statusText, text: errorText(text) }, executionTime });
  } catch (error) {
    yasr.setResponse({ error: { text: error.message } });
  }
  showOutcome();
}

export async function sparqlView({ arg, signal }) {
  if (!state) {
    try {
      await setUp(signal);
    } catch (error) {
      if (error.name === "AbortError") throw error;
      return errorPage("SPARQL", error);
    }
  }
  const mount = () => {
    if (!state.yasgui) state.yasgui = createYasgui();
    else state.yasgui.getTab().getYasqe().refresh(); // CodeMirror measures again once re-attached
    showPanel(arg);
    showOutcome();
  };
  return { title: "SPARQL", node: state.node, mount };
}
