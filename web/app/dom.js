// DOM helpers. Text is always inserted as text nodes, never parsed as HTML.

/** Creates an element: h("a", { href, class: "x", onclick }, "text", childNode, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  return fill(el, ...children);
}

/** Replaces el's content by children: nodes, strings (as text), arrays of them; skips null and false. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

/** Loads a classic script once (the vendored UMD bundles); resolves when it has run. */
const scripts = new Map();
export function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const script = h("script", { src });
      script.onload = resolve;
      script.onerror = () => {
        scripts.delete(src);
        script.remove();
        reject(new Error(`could not load ${src}`));
      };
      document.head.append(script);
    }));
  }
  return scripts.get(src);
}

/** Adds a stylesheet once. */
export function loadStyle(href) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    document.head.append(h("link", { rel: "stylesheet", href }));
  }
}

/** "1234567" → "1,234,567". */
export const formatNumber = (n) => Number(n).toLocaleString("en");

/** "x paper" / "y papers". */
export const plural = (n, word) => `${formatNumber(n)} ${word}${n === 1 ? "" : "s"}`;
