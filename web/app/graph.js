// Graph view: a concept's neighbourhood from /export?format=cytoscape, drawn by Cytoscape.js.
import { api, errorPage, link, pageOf } from "./api.js";
import { fill, h, loadScript, plural } from "./dom.js";

const CYTOSCAPE = "/assets/vendor/cytoscape/cytoscape.min.js";
const KINDS = ["paper", "concept", "method", "repository", "dataset", "listing", "author", "category"];
const DEPTHS = [1, 2, 3];
/** Above this many nodes the force-directed layout is too slow: concentric circles by degree. */
const FORCE_LAYOUT_MAX = 800;
/** Nodes labelled at all zoom levels: the largest ones (the others on hover). */
const LABELLED = 60;

const kindColour = (kind) => getComputedStyle(document.documentElement).getPropertyValue(`--kind-${kind}`).trim() || "#888";

/**
 * Sets node diameters from PageRank (or degree when absent), square-root scaled to 14–60 px, and
 * the class "labelled" on the focus and the LABELLED largest nodes.
 */
function prepare(nodes, focusId) {
  const score = (d) => d.pagerank ?? d.degree ?? 0;
  const values = nodes.map((n) => score(n.data));
  const [min, max] = [Math.min(...values), Math.max(...values)];
  for (const n of nodes) n.data.size = 14 + 46 * Math.sqrt(max > min ? (score(n.data) - min) / (max - min) : 0.5);
  const largest = new Set([...nodes].sort((a, b) => b.data.size - a.data.size).slice(0, LABELLED));
  for (const n of nodes) n.classes = largest.has(n) || n.data.id === focusId ? "labelled" : "";
}

function style(focus) {
  return [
    { selector: "node", style: {
      "background-color": "#888", width: "data(size)", height: "data(size)",
      "font-size": 9, color: "#222", "text-valign": "bottom", "text-margin-y": 3,
      "text-wrap": "ellipsis", "text-max-width": "140px", "min-zoomed-font-size": 7,
      "border-width": 1, "border-color": "#fff",
    } },
    ...KINDS.map((kind) => ({ selector: `node[kind = "${kind}"]`, style: { "background-color": kindColour(kind) } })),
    { selector: "node.labelled, node.hover, node:selected", style: { label: "data(label)" } },
    { selector: `node[id = ${JSON.stringify(focus)}]`, style: { "border-width": 4, "border-color": "#222", "font-weight": "bold", "font-size": 12 } },
    { selector: "node:selected, node.hover", style: { "border-width": 3, "border-color": "#111", "z-index": 10 } },
    { selector: "edge", style: {
      width: "mapData(weight, 1, 10, 1, 4)", "line-color": "#c5cad3", "curve-style": "straight",
      "target-arrow-shape": "triangle", "target-arrow-color": "#c5cad3", "arrow-scale": 0.6, opacity: 0.8,
    } },
  ];
}

/** The details of a node, shown on hover and selection. */
function details(data) {
  const href = pageOf(data.iri ?? "");
  return [
    h("p", { class: "kicker" }, data.kind),
    h("p", { class: "node-label" }, href ? h("a", { href }, data.label) : data.label),
    h("dl", {},
      data.pagerank != null ? [h("dt", {}, "PageRank"), h("dd", {}, data.pagerank.toFixed(4))] : null,
      data.degree != null ? [h("dt", {}, "Degree"), h("dd", {}, data.degree)] : null,
      data.community != null ? [h("dt", {}, "Community"), h("dd", {}, data.community)] : null),
    h("p", { class: "iri" }, data.iri),
  ];
}

export async function graphView({ arg, params, signal }) {
  const depth = DEPTHS.includes(Number(params.get("depth"))) ? Number(params.get("depth")) : 1;
  let graph;
  try {
    [graph] = await Promise.all([
      api("/export", { format: "cytoscape", concept: arg, depth }, { signal }),
      loadScript(CYTOSCAPE),
    ]);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    return errorPage(`Graph of “${arg}”`, error, (concept) => link.graph(concept, depth));
  }
  const { nodes, edges } = graph.elements;
  const focusNode = nodes.find((n) => n.data.iri === arg)
    ?? nodes.find((n) => n.data.kind === "concept" && n.data.label.toLowerCase() === arg.toLowerCase());
  prepare(nodes, focusNode?.data.id);
  const name = focusNode?.data.label ?? arg;
  const counts = Object.fromEntries(KINDS.map((k) => [k, nodes.filter((n) => n.data.kind === k).length]));

  const container = h("div", { id: "cy", class: "cy", role: "img", "aria-label": `Graph of ${name}` });
  const info = h("aside", { class: "graph-info" }, h("p", { class: "muted" }, "Hover a node for its details; click it to open its page."));
  const graphml = `/export?${new URLSearchParams({ format: "graphml", concept: arg, depth })}`;

  const node = h("section", { class: "graph" },
    h("div", { class: "title-row" },
      h("h1", {}, "Graph of ", focusNode ? h("a", { href: link.concept(focusNode.data.iri) }, name) : name),
      h("label", {}, "Depth ", h("select", {
        id: "graph-depth",
        onchange: (event) => { location.hash = link.graph(arg, event.target.value); },
      }, DEPTHS.map((d) => h("option", { value: d, selected: d === depth }, d)))),
      h("a", { class: "button", href: graphml, download: `papergraph-${name.replace(/\W+/g, "-")}-depth${depth}.graphml` }, "Download GraphML"),
      h("span", { id: "graph-count", dataset: { nodes: nodes.length, edges: edges.length } },
        `${plural(nodes.length, "node")}, ${plural(edges.length, "edge")}`)),
    h("ul", { class: "legend" }, KINDS.filter((k) => counts[k]).map((k) => h("li", {},
      h("span", { class: "swatch", style: `background:${kindColour(k)}` }), `${k} (${counts[k]})`))),
    h("div", { class: "graph-body" }, container, info),
  );

  let cy = null;
  const mount = () => {
    cy = window.cytoscape({
      container,
      elements: { nodes, edges },
      style: style(focusNode?.data.id ?? ""),
      layout: nodes.length <= FORCE_LAYOUT_MAX
        ? { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 70, padding: 30 }
        : { name: "concentric", concentric: (n) => n.degree(), levelWidth: () => 2, padding: 30 },
      hideEdgesOnViewport: nodes.length > FORCE_LAYOUT_MAX,
    });
    cy.on("mouseover", "node", (event) => {
      event.target.addClass("hover");
      fill(info, details(event.target.data()));
    });
    cy.on("mouseout", "node", (event) => event.target.removeClass("hover"));
    cy.on("tap", "node", (event) => {
      const href = pageOf(event.target.data("iri") ?? "");
      if (href) location.hash = href;
      else fill(info, details(event.target.data()));
    });
    container.dataset.ready = "true";
  };
  return { title: `Graph of ${name}`, node, mount, unmount: () => cy?.destroy() };
}
