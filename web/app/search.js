// Concept autocomplete for an <input>: suggestions from /api/concepts as the user types,
// chosen with the mouse or the keyboard (arrows, Enter, Escape).
import { api } from "./api.js";
import { h, plural } from "./dom.js";

let instances = 0;

/**
 * Attaches the autocomplete to `input` (inside a positioned wrapper).
 * onChoose(option) receives a suggestion {label, iri, ...} or, when Enter is pressed before any
 * suggestion arrives, {label: typed text}. extras(text) may add options of its own after the
 * concepts (each {label, detail, ...}).
 */
export function autocomplete(input, { onChoose, extras = () => [] }) {
  const id = `suggestions-${++instances}`;
  const list = h("ul", { id, class: "suggestions", role: "listbox", hidden: true });
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", id);
  input.setAttribute("aria-expanded", "false");
  input.autocomplete = "off";

  let options = [];
  let shownFor = null; // the text the shown options answer
  let active = -1;
  let pending = null; // AbortController of the request in flight
  let timer = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const choose = (option) => {
    close();
    onChoose(option);
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  };

  const show = (text, concepts) => {
    options = [...concepts, ...extras(text)];
    shownFor = text;
    list.replaceChildren(...options.map((option, i) => h("li", {
      id: `${id}-${i}`,
      role: "option",
      class: option.kind ?? "concept",
      onmousedown: (event) => {
        event.preventDefault(); // keep the focus in the input
        choose(option);
      },
    },
    h("span", { class: "label" }, option.label),
    option.detail ? h("span", { class: "detail" }, option.detail) : null)));
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    highlight(-1);
  };

  /** The concepts matching text, as options; only the latest request counts (others: null). */
  const concepts = async (text) => {
    pending?.abort();
    pending = new AbortController();
    try {
      const found = await api("/api/concepts", { q: text, limit: 10 }, { signal: pending.signal });
      return found.map((c) => ({
        ...c,
        detail: [c.matched && c.matched.toLowerCase() !== c.label.toLowerCase() ? `“${c.matched}”` : null,
          plural(c.paper_count ?? 0, "paper")].filter(Boolean).join(" · "),
      }));
    } catch (error) {
      return error.name === "AbortError" ? null : [];
    }
  };

  const suggest = async (text) => {
    const found = await concepts(text);
    if (found) show(text, found);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) {
      pending?.abort();
      close();
      return;
    }
    timer = setTimeout(() => suggest(text), 120);
  });

  input.addEventListener("keydown", async (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) return;
      event.preventDefault();
      const next = active + (event.key === "ArrowDown" ? 1 : -1); // -1: back to the typed text
      highlight(next >= options.length ? -1 : next < -1 ? options.length - 1 : next);
    } else if (event.key === "Enter") {
      // The highlighted option, else the first concept, else the typed text (the concept page
      // then resolves it, forgiving typos).
      event.preventDefault();
      const text = input.value.trim();
      if (!list.hidden && active >= 0) return choose(options[active]);
      if (!text) return;
      let found = shownFor === text ? options : null;
      if (!found) {
        clearTimeout(timer);
        found = await concepts(text);
        if (!found || input.value.trim() !== text) return; // typed on meanwhile
      }
      choose(found.find((option) => !option.kind) ?? { label: text });
    } else if (event.key === "Escape") {
      close();
    }
  });

  input.addEventListener("blur", close);
}
