/**
 * The layering of DESIGN.md: rules is pure (imports only itself, and decimal.js if ever needed);
 * model imports only rules; client and server never import each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

function files(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|tsx)$/.test(e)) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  const out: string[] = [];
  for (const m of src.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

/** The top-level area (rules, model, client, server, cli) an import lands in, or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return `pkg:${spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]}`;
  const abs = resolve(dirname(file), spec);
  return relative(join(ROOT, 'src'), abs).split(/[\\/]/)[0]!;
}

const ALLOWED: Record<string, (t: string) => boolean> = {
  rules: (t) => t === 'rules' || t === 'pkg:decimal.js',
  model: (t) => t === 'rules' || t === 'model' || t.startsWith('pkg:'),
  client: (t) => t !== 'server' && t !== 'cli',
  server: (t) => t !== 'client',
  cli: (t) => t !== 'client',
};

describe('import graph', () => {
  for (const area of Object.keys(ALLOWED)) {
    it(`src/${area} imports only what DESIGN.md allows`, () => {
      let dir: string;
      try {
        dir = join(ROOT, 'src', area);
        statSync(dir);
      } catch {
        return;
      }
      const bad: string[] = [];
      for (const f of files(dir)) {
        for (const spec of imports(f)) {
          const t = target(f, spec);
          const builtinForbidden = spec.startsWith('node:') && ['rules', 'model', 'client'].includes(area);
          if (!ALLOWED[area]!(t) || builtinForbidden) bad.push(`${relative(ROOT, f)} → ${spec}`);
        }
      }
      expect(bad).toEqual([]);
    });
  }

  it('the checker sees a forbidden import', () => {
    expect(ALLOWED.rules!(target(join(ROOT, 'src/rules/x.ts'), '../client/db.ts'))).toBe(false);
    expect(ALLOWED.rules!(target(join(ROOT, 'src/rules/x.ts'), 'dexie'))).toBe(false);
    expect(ALLOWED.client!(target(join(ROOT, 'src/client/a/b.ts'), '../../server/x.ts'))).toBe(false);
  });
});
