#!/bin/sh
# Vendors the explorer's browser libraries: installs the exact versions pinned in
# package-lock.json and copies the built files the page loads, with their licences, into vendor/
# (committed: `papergraph serve` compiles them in). Needs Node and npm; run from anywhere.
set -eu
cd "$(dirname "$0")"

npm ci --ignore-scripts --no-audit --no-fund

rm -rf vendor/cytoscape vendor/yasgui
mkdir -p vendor/cytoscape vendor/yasgui

cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE vendor/cytoscape/

# The source-map comment is dropped: the maps are not vendored.
sed '/^\/\/# sourceMappingURL=/d' node_modules/@zazuko/yasgui/build/yasgui.min.js > vendor/yasgui/yasgui.min.js
cp node_modules/@zazuko/yasgui/build/yasgui.min.css vendor/yasgui/
cp licenses/zazuko-yasgui.LICENSE vendor/yasgui/LICENSE

# yasgui.min.js bundles its dependencies (CodeMirror, jQuery, DataTables, DOMPurify, ...) without
# their licence texts: collect the licence of every package in its dependency tree.
node - > vendor/yasgui/THIRD-PARTY-LICENSES.txt <<'EOF'
const fs = require("fs");
const lock = require("./package-lock.json");
const out = ["Licences of the packages in the dependency tree of @zazuko/yasgui, parts of which yasgui.min.js bundles.", ""];
for (const [dir, entry] of Object.entries(lock.packages)) {
  const name = dir.replace(/^.*node_modules\//, "");
  if (!dir || name === "cytoscape") continue;
  const files = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort();
  out.push(`==== ${name} ${entry.version} (${entry.license || "licence not declared"}) ====`, "");
  if (name.startsWith("@zazuko/")) out.push("See LICENSE.", "");
  else if (files.length === 0) out.push("(The package ships no licence file; see its declared licence above.)", "");
  for (const f of files) out.push(fs.readFileSync(`${dir}/${f}`, "utf8").trim(), "");
}
process.stdout.write(out.join("\n"));
EOF

du -h vendor/*/*
