// Start page (most mentioned concepts) and About page (what is in the store).
import { api, link } from "./api.js";
import { formatNumber, h } from "./dom.js";

/** The canned query ranking concepts by papers, as {label, papers}, most first. */
async function topConcepts(signal) {
  const results = await api("/api/queries/concepts-by-paper-count", {}, { signal });
  return results.results.bindings.map((b) => ({ label: b.concept.value, papers: Number(b.papers.value) }));
}

export async function homeView({ signal }) {
  let concepts;
  try {
    concepts = (await topConcepts(signal)).slice(0, 40);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    concepts = []; // the search box still works
  }
  const node = h("section", { class: "home" },
    h("h1", {}, "Explore the paper graph"),
    h("p", { class: "lead" }, "Type a concept in the search box above — “KV cache”, “Mamba”, “mixture of experts” — to see its papers, code and neighbours, or open a paper by title. ",
      "The ", h("a", { href: link.sparql() }, "SPARQL"), " page queries the store directly."),
    concepts.length ? h("h2", {}, "Most mentioned concepts") : null,
    h("p", { class: "chips" }, concepts.map((c) => h("a", { class: "chip", href: link.concept(c.label) }, c.label, h("span", { class: "count" }, c.papers)))),
  );
  return { title: "Explore", node };
}

export async function aboutView({ signal }) {
  const s = await api("/api/summary", {}, { signal });
  const node = h("section", { class: "about" },
    h("h1", {}, "About"),
    h("p", {}, "papergraph turns machine-learning paper listings into an RDF knowledge graph: papers, the concepts they mention (from a SKOS taxonomy), the code they link, the datasets they name and the methods they propose, each fact with its evidence."),
    h("dl", { class: "summary", id: "summary" },
      [["Papers", s.papers], ["Concepts", s.concepts], ["Repositories", s.repositories], ["Quads", s.quads]]
        .filter(([, n]) => n != null).map(([name, n]) => h("div", {}, h("dt", {}, name), h("dd", {}, formatNumber(n)))),
      h("div", { class: "store" }, h("dt", {}, "Store"), h("dd", {}, s.store))),
    h("h2", {}, "Machine access"),
    h("ul", {},
      h("li", {}, h("code", {}, "/sparql"), " — SPARQL 1.1 Protocol endpoint (read-only)"),
      h("li", {}, h("code", {}, "/export?format=graphml"), " — the graph (also gexf, dot, cytoscape; ", h("code", {}, "&concept=NAME&depth=N"), " for a neighbourhood)"),
      h("li", {}, h("code", {}, "/api/concept?name=…"), ", ", h("code", {}, "/api/paper?q=…"), ", ", h("code", {}, "/api/repo?name=…"), ", ", h("code", {}, "/api/queries"), " — the JSON behind these pages")),
    h("p", { class: "muted" }, "Graph drawing: Cytoscape.js (MIT). SPARQL editor: YASGUI by Zazuko and Triply (MIT). Both are served from this program; the explorer loads nothing from elsewhere."),
  );
  return { title: "About", node };
}
