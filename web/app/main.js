// papergraph explorer: hash router, header search and navigation.
//
// Routes: #/  #/about  #/concept/NAME-OR-IRI  #/paper/QUERY-OR-IRI  #/repo/OWNER/NAME
//         #/graph/CONCEPT?depth=N  #/sparql  #/sparql/CANNED-QUERY
// A view is an async function ({arg, params, signal}) → {title, node, mount?, unmount?}; mount
// runs once node is in the page, unmount when the next view replaces it.
import { errorPage, link } from "./api.js";
import { conceptView } from "./concept.js";
import { graphView } from "./graph.js";
import { aboutView, homeView } from "./home.js";
import { paperView } from "./paper.js";
import { repoView } from "./repo.js";
import { autocomplete } from "./search.js";
import { sparqlView } from "./sparql.js";

const ROUTES = [
  [/^$/, "home", homeView],
  [/^about$/, "about", aboutView],
  [/^concept\/(.+)$/, "concept", conceptView],
  [/^paper\/(.+)$/, "paper", paperView],
  [/^repo\/(.+)$/, "repo", repoView],
  [/^graph\/(.+)$/, "graph", graphView],
  [/^sparql(?:\/(.+))?$/, "sparql", sparqlView],
];

const main = document.getElementById("view");
let current = null; // {controller, unmount} of the view on screen or loading

async function route() {
  const hash = location.hash.replace(/^#\/?/, "");
  const at = hash.indexOf("?");
  const path = at < 0 ? hash : hash.slice(0, at);
  const params = new URLSearchParams(at < 0 ? "" : hash.slice(at + 1));
  const [pattern, name, view] = ROUTES.find(([p]) => p.test(path)) ?? [null, "missing", null];
  const match = pattern?.exec(path);

  current?.controller.abort();
  current?.unmount?.();
  const controller = new AbortController();
  current = { controller };
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.view === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  main.dataset.view = name;
  main.dataset.state = "loading";
  main.setAttribute("aria-busy", "true");

  let page;
  try {
    if (!view) throw new Error(`No page at #/${path}.`);
    const arg = match[1] === undefined ? null : decodeURIComponent(match[1]);
    page = await view({ arg, params, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) return;
    page = errorPage("Something went wrong", error);
  }
  if (controller.signal.aborted) return;
  main.replaceChildren(page.node);
  document.title = `${page.title} · papergraph`;
  window.scrollTo(0, 0);
  page.mount?.();
  current.unmount = page.unmount;
  main.dataset.state = page.failed ? "error" : "ready";
  main.removeAttribute("aria-busy");
}

const search = document.getElementById("search");
autocomplete(search, {
  onChoose: (option) => {
    location.hash = option.href ?? link.concept(option.iri ?? option.label);
    search.blur();
  },
  // Besides concepts: a paper by title, and a repository for an owner/name.
  extras: (text) => [
    { kind: "paper", label: text, detail: "search paper titles", href: link.paper(text) },
    /^[\w.-]+\/[\w.-]+(\/[\w.-]+)?$/.test(text) ? { kind: "repo", label: text, detail: "code repository", href: link.repo(text) } : null,
  ].filter(Boolean),
});
document.getElementById("nav-search").addEventListener("click", () => search.focus());

window.addEventListener("hashchange", route);
route();
