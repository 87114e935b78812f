import { describe, expect, it } from 'vitest';
import { loadVectors, runSettle } from '../helpers.ts';

const vectors = loadVectors();

describe('settle command reproduces every reference vector to the fen', () => {
  it('finds the reference vectors (test/fixtures/vectors)', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(8);
  });
  for (const v of vectors) {
    it(`${v.file}`, () => {
      const r = runSettle(JSON.stringify(v.scenario));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.claims.map((c: { payers: unknown; patient: string }) => ({ payers: c.payers, patient: c.patient }))).toEqual(v.expect.claims);
      for (const c of out.claims) expect(c.trace.length).toBeGreaterThan(0);
      expect(out.policy.id).toBe((v.scenario as { policy: string }).policy);
    });
  }
  it('--summary leaves traces out and changes nothing else', () => {
    const v = vectors.find((x) => x.name === 'xn-class1-threshold-crossing')!;
    const full = JSON.parse(runSettle(JSON.stringify(v.scenario)).stdout);
    const r = runSettle(JSON.stringify(v.scenario), ['--summary']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    for (const c of summary.claims) expect(c).not.toHaveProperty('trace');
    for (const c of full.claims) delete c.trace;
    expect(summary).toEqual(full);
  });
});
