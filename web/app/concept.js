// Concept page: definition, hierarchy, ranked papers with their code, co-occurring concepts.
import { api, errorPage, link, repoName } from "./api.js";
import { h, plural } from "./dom.js";

/** Comma-separated links to concepts ({iri, label}). */
const conceptLinks = (concepts) => concepts.flatMap((c, i) => [i ? ", " : null, h("a", { href: link.concept(c.iri) }, c.label)]);

/** "000_x.txt (Mar 13)" → the date, with the whole listing name as its tooltip. */
const listingDate = (listing) => h("span", { class: "listing", title: listing }, /\(([^)]+)\)\s*$/.exec(listing)?.[1] ?? listing);

export async function conceptView({ arg, signal }) {
  let c;
  try {
    c = await api("/api/concept", { name: arg }, { signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return errorPage(`Concept “${arg}”`, error, link.concept,
      error.status === 404 ? h("p", {}, h("a", { href: link.paper(arg) }, `Search paper titles for “${arg}”`)) : null);
  }
  const hierarchy = [
    c.broader.length ? h("p", {}, h("strong", {}, "Broader: "), conceptLinks(c.broader)) : null,
    c.narrower.length ? h("p", {}, h("strong", {}, "Narrower: "), conceptLinks(c.narrower)) : null,
  ].filter(Boolean);

  const node = h("article", { class: "concept" },
    h("p", { class: "kicker" }, "Concept"),
    h("div", { class: "title-row" },
      h("h1", {}, c.label),
      h("a", { class: "button", id: "open-graph", href: link.graph(c.iri) }, "Graph")),
    c.alt_labels.length ? h("p", { class: "muted" }, `Also: ${c.alt_labels.join(", ")}`) : null,
    c.definition ? h("p", { class: "definition" }, c.definition) : null,
    h("p", { class: "iri" }, c.iri),
    hierarchy.length ? h("section", { class: "hierarchy" }, hierarchy) : null,

    h("h2", {}, `Papers (${plural(c.paper_count, "paper")}, ${c.direct_paper_count} mentioning it directly)`),
    c.papers.length < c.paper_count ? h("p", { class: "muted" }, `The ${c.papers.length} mentioning it most.`) : null,
    h("div", { class: "table-wrap" }, h("table", { class: "papers", id: "concept-papers" },
      h("thead", {}, h("tr", {}, ["#", "Paper", "Mentions", "Via", "Code", "Listed"].map((t) => h("th", {}, t)))),
      h("tbody", {}, c.papers.map((p, i) => h("tr", {},
        h("td", { class: "num muted" }, i + 1),
        h("td", {}, h("a", { href: link.paper(p.iri) }, p.title)),
        h("td", { class: "num" }, p.mentions),
        h("td", { class: "via" }, p.via.map((label) => h("a", { class: "chip", href: link.concept(label) }, label))),
        h("td", {}, p.repositories.map((repo) => h("a", { class: "chip code", href: link.repo(repoName(repo)), title: repo }, repoName(repo)))),
        h("td", {}, p.listings.map(listingDate))))))),

    c.cooccurring.length ? h("section", {},
      h("h2", {}, "Co-occurring concepts"),
      h("p", { class: "chips" }, c.cooccurring.map((o) => h("a", { class: "chip", href: link.concept(o.iri), title: `${plural(o.papers, "paper")} mention both` },
        o.label, h("span", { class: "count" }, o.papers))))) : null,

    c.methods.length ? h("section", {},
      h("h2", {}, "Methods proposed on it"),
      h("ul", { class: "methods" }, c.methods.map((m) => h("li", { title: m.iri },
        h("strong", {}, m.name), m.long_name ? ` — ${m.long_name}` : null)))) : null,
  );
  return { title: c.label, node };
}
