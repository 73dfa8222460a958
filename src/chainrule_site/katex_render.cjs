// Typeset TeX with the site's pinned KaTeX, at build time.
// stdin: JSON [{"tex": "...", "display": true}, ...]
// stdout: JSON [{"html": "..."} | {"error": "..."}, ...]  (one entry per input, same order)
"use strict";
const path = require("node:path");
const katex = require(path.resolve(process.argv[2], "katex"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, output: "htmlAndMathml", trust: false }) };
    } catch (err) {
      return { error: String(err.message || err) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
