// Paper page: title and abstract with every evidence span highlighted, and the evidence table.
import { api, errorPage, link, pageOf } from "./api.js";
import { h } from "./dom.js";
import { EVIDENCE_KINDS, evidenceKind, highlight } from "./highlight.js";

const source = (e) => `${e.listing}:${e.line}`;

/** One fact as a line of a tooltip. */
const describe = (e) => `${e.label} — ${EVIDENCE_KINDS[evidenceKind(e.predicate)]} (${e.extractor}, confidence ${e.confidence}, ${source(e)})`;

/** The <mark> for the facts sharing one span: coloured by the most specific kind. */
function mark(facts) {
  const kinds = new Set(facts.map((e) => evidenceKind(e.predicate)));
  const kind = Object.keys(EVIDENCE_KINDS).find((k) => kinds.has(k));
  const href = facts.map((e) => pageOf(e.object)).find(Boolean);
  return h("mark", {
    class: `ev ev-${kind}${href ? " linked" : ""}`,
    title: [...new Set(facts.map(describe))].join("\n"),
    dataset: href ? { href } : {},
  });
}

export async function paperView({ arg, signal }) {
  let data;
  try {
    data = await api("/api/paper", { q: arg }, { signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return errorPage(`Paper “${arg}”`, error, link.paper);
  }
  const { paper, evidence = [] } = data;
  const field = (name) => evidence.filter((e) => e.field === name);
  const kindsFound = new Set(evidence.map((e) => evidenceKind(e.predicate)));
  const rows = [...evidence].sort((a, b) => (a.field === b.field ? a.start - b.start : a.field === "title" ? -1 : 1));

  const onMarkClick = (event) => {
    const target = event.target.closest("mark[data-href]");
    if (target) location.hash = target.dataset.href;
  };

  const node = h("article", { class: "paper", onclick: onMarkClick },
    h("p", { class: "kicker" }, "Paper"),
    h("h1", { id: "paper-title" }, highlight(paper.title, field("title"), mark)),
    h("p", { class: "iri" }, paper.iri),
    h("ul", { class: "legend" }, Object.entries(EVIDENCE_KINDS).filter(([k]) => kindsFound.has(k))
      .map(([k, name]) => h("li", {}, h("mark", { class: `ev ev-${k}` }, name)))),
    data.abstract
      ? h("p", { id: "abstract", class: "abstract" }, highlight(data.abstract, field("abstract"), mark))
      : h("p", { id: "abstract", class: "abstract muted" }, "No abstract stored."),
    h("h2", {}, `Evidence (${evidence.length})`),
    h("div", { class: "table-wrap" }, h("table", { class: "evidence" },
      h("thead", {}, h("tr", {}, ["Field", "Text", "Fact", "Object", "Extractor", "Confidence", "Source"].map((t) => h("th", {}, t)))),
      h("tbody", {}, rows.map((e) => {
        const kind = evidenceKind(e.predicate);
        const href = pageOf(e.object);
        const external = kind === "link" && /^https?:\/\//.test(e.object);
        return h("tr", {},
          h("td", {}, e.field),
          h("td", {}, h("mark", { class: `ev ev-${kind}` }, e.text), h("span", { class: "muted" }, ` ${e.start}–${e.end}`)),
          h("td", { title: e.predicate }, EVIDENCE_KINDS[kind]),
          h("td", { title: e.object }, href ? h("a", { href }, e.label)
            : external ? h("a", { href: e.object, class: "external", rel: "noreferrer", target: "_blank" }, e.label) : e.label),
          h("td", {}, e.extractor),
          h("td", { class: "num" }, e.confidence),
          h("td", {}, source(e)));
      })))),
  );
  return { title: paper.title, node };
}
