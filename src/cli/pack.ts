/**
 * npm run pack -- check FILE...   validate policy pack JSON files; exit 2 naming the first bad field
 * npm run pack -- hash FILE...    print each pack's content hash
 * npm run pack -- hash --write FILE...   store the content hash in the file's "hash" field
 *
 * A county publishes a revised pack as JSON; this is how it is checked before it is sent out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { compilePack, packHash, RulesError } from '../rules/index.ts';

function usage(): never {
  process.stderr.write('usage: npm run pack -- check FILE... | hash [--write] FILE...\n');
  process.exit(2);
}

const [cmd, ...rest] = process.argv.slice(2);
const write = rest.includes('--write');
const files = rest.filter((a) => a !== '--write');
if (!cmd || files.length === 0) usage();

let failed = false;
for (const file of files) {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    process.stdout.write(JSON.stringify({ file, error: { code: 'json', path: '', message: (e as Error).message } }) + '\n');
    failed = true;
    continue;
  }
  try {
    if (cmd === 'check') {
      const p = compilePack(json);
      process.stdout.write(JSON.stringify({ file, id: p.id, version: p.version, hash: p.hash, assumptions: p.assumptions.length, params: p.params.size }) + '\n');
    } else if (cmd === 'hash') {
      const h = packHash(json);
      if (write) {
        const { hash: _old, ...rest } = json;
        // Keep "hash" right after "effective" so the file reads top-down.
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(rest)) {
          out[k] = v;
          if (k === 'effective') out.hash = h;
        }
        if (!('hash' in out)) out.hash = h;
        compilePack(out);
        writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
      }
      process.stdout.write(`${h}  ${file}\n`);
    } else {
      usage();
    }
  } catch (e) {
    if (!(e instanceof RulesError)) throw e;
    process.stdout.write(JSON.stringify({ file, error: e.toJSON() }) + '\n');
    failed = true;
  }
}
process.exit(failed ? 2 : 0);
