// Repository page: the papers linking a code repository and the concepts they mention.
import { api, errorPage, link } from "./api.js";
import { h, plural } from "./dom.js";

export async function repoView({ arg, signal }) {
  let r;
  try {
    r = await api("/api/repo", { name: arg }, { signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return errorPage(`Repository “${arg}”`, error, link.repo);
  }
  const node = h("article", { class: "repo" },
    h("p", { class: "kicker" }, `Code repository on ${r.host}`),
    h("h1", {}, r.name),
    h("p", {}, h("a", { href: r.url, class: "external", rel: "noreferrer", target: "_blank" }, r.url)),
    h("p", { class: "iri" }, r.iri),
    h("h2", {}, `Linked by ${plural(r.paper_count, "paper")}`),
    r.papers.length < r.paper_count ? h("p", { class: "muted" }, `The first ${r.papers.length}.`) : null,
    h("div", { class: "table-wrap" }, h("table", { class: "papers" },
      h("thead", {}, h("tr", {}, ["Paper", "Link in the abstract", "Source"].map((t) => h("th", {}, t)))),
      h("tbody", {}, r.papers.map((p) => h("tr", {},
        h("td", {}, h("a", { href: link.paper(p.iri) }, p.title)),
        h("td", { class: "url" }, p.evidence),
        h("td", {}, `${p.listing}:${p.line}`)))))),
    r.concepts.length ? h("section", {},
      h("h2", {}, "Concepts of these papers"),
      h("p", { class: "chips" }, r.concepts.map(([label, count]) => h("a", { class: "chip", href: link.concept(label) },
        label, h("span", { class: "count" }, count))))) : null,
  );
  return { title: r.name, node };
}
