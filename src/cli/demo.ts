/**
 * npm run demo -- [--members N] [--seed S] [--out FILE]
 *
 * Generates the synthetic demo county (交口县, see src/model/demo) and writes it as JSON to FILE
 * (default demo-county.json): {"county", "villages", "households", "members", "statuses",
 * "enrolments"}, one record a line. Standard output carries no data; a one-line summary goes to
 * standard error. Bad arguments exit 2 naming the argument; a file that cannot be written exits 1.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { DEFAULT_MEMBERS, DEFAULT_SEED, MAX_MEMBERS, generateCounty, type DemoCounty } from '../model/demo/index.ts';

const DEFAULT_OUT = 'demo-county.json';
const USAGE = `usage: npm run demo -- [--members N] [--seed S] [--out FILE]
  --members N   about how many members, 1 to ${MAX_MEMBERS} (default ${DEFAULT_MEMBERS})
  --seed S      integer 0 to 4294967295; the same seed gives the same county (default ${DEFAULT_SEED})
  --out FILE    where to write the JSON (default ${DEFAULT_OUT})
`;

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n${USAGE}`);
  process.exit(2);
}

function integer(name: string, raw: string, min: number, max: number): number {
  const t = raw.replace(/_/g, '');
  if (!/^-?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) fail(`${name} must be a whole number, got "${raw}"`);
  const n = Number(t);
  if (n < min || n > max) fail(`${name} must be from ${min} to ${max}, got ${raw}`);
  return n;
}

function parseArgs(argv: string[]): { members: number; seed: number; out: string } {
  let members = DEFAULT_MEMBERS;
  let seed = DEFAULT_SEED;
  let out = DEFAULT_OUT;
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stderr.write(USAGE);
      process.exit(0);
    }
    const m = /^(--[a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) fail(`unexpected argument "${arg}"`);
    const name = m[1]!;
    if (!['--members', '--seed', '--out'].includes(name)) fail(`unknown option ${name}`);
    if (seen.has(name)) fail(`${name} given twice`);
    seen.add(name);
    let value = m[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) fail(`${name} needs a value`);
    }
    if (name === '--members') members = integer(name, value, 1, MAX_MEMBERS);
    else if (name === '--seed') seed = integer(name, value, 0, 0xffffffff);
    else {
      if (value.trim() === '') fail('--out needs a file name');
      out = value;
    }
  }
  return { members, seed, out };
}

/** Writes the county as JSON, one record a line, without building the whole text in memory. */
function writeCounty(file: string, c: DemoCounty): void {
  const fd = openSync(file, 'w');
  try {
    let buf = '';
    const put = (s: string): void => {
      buf += s;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    };
    put(`{\n"county": ${JSON.stringify(c.county)}`);
    for (const key of ['villages', 'households', 'members', 'statuses', 'enrolments'] as const) {
      put(`,\n"${key}": [`);
      const rows = c[key];
      for (let i = 0; i < rows.length; i++) put(`${i === 0 ? '\n' : ',\n'}${JSON.stringify(rows[i])}`);
      put(rows.length ? '\n]' : ']');
    }
    put('\n}\n');
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

const args = parseArgs(process.argv.slice(2));
const t0 = performance.now();
const county = generateCounty({ members: args.members, seed: args.seed });
try {
  writeCounty(args.out, county);
} catch (e) {
  process.stderr.write(`demo: cannot write ${args.out}: ${(e as Error).message}\n`);
  process.exit(1);
}
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
const n = (x: number): string => x.toLocaleString('en-US');
process.stderr.write(
  `${county.county.name} (${county.county.code}, seed ${args.seed}): ${n(county.villages.length)} villages, ${n(county.households.length)} households, ` +
    `${n(county.members.length)} members, ${n(county.enrolments.length)} enrolments → ${args.out} (${seconds} s)\n`,
);
