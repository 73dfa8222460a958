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
      // wrap "=": a long inline chain a = b = c may break before its second and later top-level
      // "=" (Temml's stylesheet lays <math> out as a wrapping flex row). Not "tex" (a break after every
      // operator): each break point splits the row, which changes the operators' MathML forms
      // and so their spacing ("1, …,N", "=f′"). Temml wraps only without an <annotation>,
      // so typeset.py keeps the TeX in a data-tex attribute.
      return { mathml: temml.renderToString(tex, { displayMode: display, annotate: false, wrap: "=", throwOnError: true, trust: false }) };
    } catch (err) {
      return { error: String(err.message || err) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
