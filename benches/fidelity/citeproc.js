// The reference rendering: citeproc-js (the CSL processor Zotero and
// Mendeley use) prints the bibliography of CSL-JSON items in a style, as
// plain text, one JSON string per entry, in the style's order.
// Usage: node citeproc.js ITEMS.json STYLE.csl [LOCALE]
"use strict";
const fs = require("fs");
const CSL = require("citeproc");
const locales = require("@citation-js/plugin-csl/lib/locales.json");

const [items, style, lang = "en-US"] = process.argv.slice(2);
const byId = new Map(JSON.parse(fs.readFileSync(items, "utf8")).map((item) => [String(item.id), item]));
const sys = {
  retrieveLocale: (l) => locales[l] || locales["en-US"],
  retrieveItem: (id) => byId.get(String(id)),
};
const engine = new CSL.Engine(sys, fs.readFileSync(style, "utf8"), lang, true);
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
