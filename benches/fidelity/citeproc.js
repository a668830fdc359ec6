// The reference rendering: citeproc-js (the CSL processor Zotero and
// Mendeley use) prints the bibliography of CSL-JSON items in a style, as
// plain text, one JSON string per entry, in the style's order.
// The locale is the style's default (or LOCALE), read from TeX Live's CSL
// locales beside its styles, else from @citation-js/plugin-csl's.
// Usage: node citeproc.js ITEMS.json STYLE.csl [LOCALE]
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");
const bundled = require("@citation-js/plugin-csl/lib/locales.json");

const [items, style, lang] = process.argv.slice(2);
const texlive = path.join(path.dirname(path.resolve(style)), "..", "locales");
const locale = (l) => {
  const file = path.join(texlive, `csl-locales-${l}.xml`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : bundled[l];
};
const byId = new Map(JSON.parse(fs.readFileSync(items, "utf8")).map((item) => [String(item.id), item]));
const sys = {
  retrieveLocale: (l) => locale(l) || locale("en-US"),
  retrieveItem: (id) => byId.get(String(id)),
};
const engine = new CSL.Engine(sys, fs.readFileSync(style, "utf8"), lang, Boolean(lang));
engine.setOutputFormat("text");
engine.updateItems([...byId.keys()]);
const bib = engine.makeBibliography();
if (!bib) {
  console.error("the style has no bibliography");
  process.exit(2);
}
for (const entry of bib[1]) {
  process.stdout.write(JSON.stringify(entry.trim()) + "\n");
}
