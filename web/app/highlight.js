// Evidence spans drawn over a text as nested <mark> elements.

/** Evidence kinds by predicate IRI; their colours are the --ev-* variables of style.css. */
const PREDICATE_KINDS = {
  "https://schema.org/mentions": "concept",
  "https://w3id.org/papergraph/vocab#hasCode": "code",
  "https://schema.org/codeRepository": "code",
  "http://www.w3.org/2000/01/rdf-schema#seeAlso": "link",
  "https://w3id.org/papergraph/vocab#evaluatedOn": "dataset",
  "https://w3id.org/papergraph/vocab#proposes": "method",
  "https://w3id.org/papergraph/vocab#defines": "acronym",
};

/** Kind names for the legend, most specific first: a span with several kinds shows the first. */
export const EVIDENCE_KINDS = {
  code: "code repository",
  link: "link",
  method: "proposed method",
  acronym: "defined acronym",
  dataset: "dataset",
  concept: "concept mention",
  other: "other fact",
};

export const evidenceKind = (predicate) => PREDICATE_KINDS[predicate] ?? "other";

/**
 * Renders `text` with every span marked. Spans are {start, end, ...} in Unicode code points (not
 * UTF-16 units). Spans with the same range share one mark; a span that contains another encloses
 * its mark; spans that cross are split where they cross, so the marks always nest.
 * mark(spans) makes the element for the spans covering one range.
 */
export function highlight(text, spans, mark) {
  const chars = Array.from(text);
  const ranges = new Map();
  for (const span of spans) {
    if (!(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0
      && span.start < span.end && span.end <= chars.length)) continue;
    const key = `${span.start}:${span.end}`;
    if (!ranges.has(key)) ranges.set(key, { start: span.start, end: span.end, spans: [] });
    ranges.get(key).spans.push(span);
  }
  const outerFirst = (a, b) => a.start - b.start || b.end - a.end;
  const sorted = [...ranges.values()].sort(outerFirst);
  const cuts = [...new Set([0, chars.length, ...sorted.flatMap((r) => [r.start, r.end])])].sort((a, b) => a - b);

  // Sweep the pieces between cuts: the marks open over a piece are the ranges covering it, outer
  // first; marks still covering it stay open, the others close, the missing ones open.
  const root = document.createDocumentFragment();
  const open = []; // [{range, element}]
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const covering = sorted.filter((r) => r.start <= from && to <= r.end);
    let kept = 0;
    while (kept < open.length && open[kept].range === covering[kept]) kept++;
    open.length = kept;
    for (const range of covering.slice(kept)) {
      const element = mark(range.spans);
      (open.at(-1)?.element ?? root).append(element);
      open.push({ range, element });
    }
    (open.at(-1)?.element ?? root).append(chars.slice(from, to).join(""));
  }
  return root;
}
