import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = resolve(ROOT, '..', 'shared');

export interface Vector {
  file: string;
  name: string;
  scenario: unknown;
  expect: { claims: { payers: Record<string, string>; patient: string }[] };
}

export function loadVectors(): Vector[] {
  const dir = join(SHARED, 'vectors');
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
