import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The shared reference material beside the repository (`../shared`). A clone on its own has none:
 * the tests that need it skip with a notice (or fail in CI, for the seeds). SHARED_DIR points
 * elsewhere, e.g. `SHARED_DIR=/nonexistent npx vitest run` to check how a lone clone fares.
 */
export const SHARED = process.env.SHARED_DIR ? resolve(process.env.SHARED_DIR) : resolve(ROOT, '..', 'shared');
/** The repository's own fixtures. */
export const FIXTURES = join(ROOT, 'test', 'fixtures');

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** `../shared/vectors`, or null when it is not there. */
export function sharedVectorsDir(): string | null {
  const dir = join(SHARED, 'vectors');
  return isDir(dir) ? dir : null;
}

/**
 * The seed documents: SEEDS_DIR when set, else `../shared/seeds`. `dir` is null when absent; then
 * `why` says where they were looked for.
 */
export function seedsDir(): { dir: string | null; why: string } {
  const dir = process.env.SEEDS_DIR ? resolve(process.env.SEEDS_DIR) : join(SHARED, 'seeds');
  const from = process.env.SEEDS_DIR ? `SEEDS_DIR=${process.env.SEEDS_DIR}` : `../shared/seeds (${dir})`;
  return isDir(dir) ? { dir, why: from } : { dir: null, why: `no seed documents at ${from}` };
}

export interface Vector {
  file: string;
  name: string;
  scenario: unknown;
  expect: { claims: { payers: Record<string, string>; patient: string }[] };
}

/** The reference settlements, from the repository's copies (test/fixtures/vectors) by default. */
export function loadVectors(dir = join(FIXTURES, 'vectors')): Vector[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Vector, 'file'>) }));
}

/** Runs `npm run --silent settle [-- args]` with `stdin`, as county staff would. */
export function runSettle(stdin: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npm', ['run', '--silent', 'settle', ...(args.length ? ['--', ...args] : [])], {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
