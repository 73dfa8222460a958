// Typeset TeX as MathML with the site's pinned Temml, at build time.
// stdin: JSON [{"tex": "...", "display": true}, ...]
// stdout: JSON [{"mathml": "..."} | {"error": "..."}, ...]  (one entry per input, same order)
"use strict";
const path = require("node:path");
const temml = require(path.resolve(process.argv[2], "temml", "dist", "temml.cjs"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ tex, display }) => {
    try {
      // wrap "tex": an inline formula may break after a top-level relation or operator, as in
      // TeX (Temml's stylesheet lays <math> out as a wrapping flex row). Temml wraps only
      // without an <annotation>, so the TeX is kept by typeset.py in a data-tex attribute.
      return { mathml: temml.renderToString(tex, { displayMode: display, annotate: false, wrap: "tex", throwOnError: true, trust: false }) };
    } catch (err) {
      return { error: String(err.message || err) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
