// Validates AsyncAPI documents (JSON or YAML) with the official parser, as CONTRACT.md
// section 6 requires: `node validate.mjs <file-or-directory>...`.
// Prints every diagnostic of severity error (and counts warnings); exits 1 when any document
// has an error or cannot be read, 2 on bad usage. Directories are searched (not recursively)
// for *.json, *.yaml and *.yml.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

let Parser;
let DiagnosticSeverity;
try {
  ({ Parser, DiagnosticSeverity } = await import('@asyncapi/parser'));
} catch (e) {
  console.error(`cannot load @asyncapi/parser - run \`npm ci\` in tests/asyncapi: ${e.message}`);
  process.exit(1);
}

function documentsIn(target) {
  const path = resolve(target);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => /\.(json|ya?ml)$/.test(name))
    .sort()
    .map((name) => join(path, name));
}

async function validate(parser, file) {
  const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), {
    source: file,
  });
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning);
  for (const d of errors) {
    console.error(`${file}: error ${d.code} at /${d.path.join('/')}: ${d.message}`);
  }
  if (errors.length === 0 && document === undefined) {
    console.error(`${file}: the parser returned no document`);
    return false;
  }
  console.log(`${file}: ${errors.length} error(s), ${warnings.length} warning(s)`);
  return errors.length === 0;
}

const targets = process.argv.slice(2);
if (targets.length === 0) {
  console.error('usage: node validate.mjs <asyncapi.json|asyncapi.yaml|directory>...');
  process.exit(2);
}
const parser = new Parser();
let ok = true;
let count = 0;
for (const target of targets) {
  let files;
  try {
    files = documentsIn(target);
  } catch (e) {
    console.error(`${target}: ${e.message}`);
    ok = false;
    continue;
  }
  if (files.length === 0) {
    console.error(`${target}: no .json/.yaml documents found`);
    ok = false;
  }
  for (const file of files) {
    count += 1;
    try {
      ok = (await validate(parser, file)) && ok;
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      ok = false;
    }
  }
}
console.log(`${count} document(s) checked: ${ok ? 'no errors' : 'ERRORS'}`);
process.exit(ok ? 0 : 1);
