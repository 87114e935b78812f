import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const demo = (args: string[]) => spawnSync('npm', ['run', '--silent', 'demo', '--', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run demo', () => {
  it('writes a synthetic county of the size asked for', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cunyi-demo-')), 'county.json');
    const r = demo(['--members', '2000', '--seed', '3', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    const data = JSON.parse(text);
    expect(data.members.length).toBeGreaterThan(1_800);
    expect(data.members.length).toBeLessThan(2_200);
    expect(data.county).toMatchObject({ code: '141130', packId: 'CN-140000-2017' });
    expect(r.stderr).toMatch(/members/);
  });
  it('names a bad argument and exits 2', () => {
    const r = demo(['--members', 'lots']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--members/);
  });
});
