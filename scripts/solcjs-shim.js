#!/usr/bin/env node
// A minimal `solc` command line over solc-js (npm package `solc`), for py-solc-x.
// It answers `--version` and `--standard-json` (standard JSON on stdin, result on
// stdout), which is all py-solc-x's compile_standard needs. Imports that the input
// does not carry are read from the working directory or node_modules.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const solc = require(path.join(root, 'node_modules', 'solc'));
const args = process.argv.slice(2);

if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('solcjs-shim: only --version and --standard-json are supported\n');
  process.exit(2);
}

function findImports(unit) {
  for (const base of [root, path.join(root, 'node_modules')]) {
    const file = path.join(base, unit);
    if (file.startsWith(base) && fs.existsSync(file)) {
      return { contents: fs.readFileSync(file, 'utf8') };
    }
  }
  return { error: `File not found: ${unit}` };
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  process.stdout.write(solc.compile(input, { import: findImports }));
});
