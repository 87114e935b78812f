/**
 * The reference settlements the tests read are the repository's copies (test/fixtures/vectors), so
 * that a clone on its own passes its tests. Wherever ../shared is beside the repository, the copies
 * must be byte-identical to the shared vectors, so that they cannot drift; without it this check is
 * skipped with a notice.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, SHARED, sharedVectorsDir } from '../helpers.ts';

const OURS = join(FIXTURES, 'vectors');
const SHARED_VECTORS = sharedVectorsDir();
const json = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

if (SHARED_VECTORS === null) {
  console.log(`notice: ${join(SHARED, 'vectors')} is not there; the check that test/fixtures/vectors equals the shared vectors is skipped`);
}

describe.skipIf(SHARED_VECTORS === null)('test/fixtures/vectors are the shared reference settlements, byte for byte', () => {
  it('holds the same files as ../shared/vectors', () => {
    expect(json(OURS)).toEqual(json(SHARED_VECTORS!));
  });
  for (const f of json(OURS)) {
    it(f, () => {
      const ours = readFileSync(join(OURS, f));
      const theirs = readFileSync(join(SHARED_VECTORS!, f));
      expect(ours.equals(theirs), `test/fixtures/vectors/${f} differs from ${join(SHARED_VECTORS!, f)}: copy it again`).toBe(true);
    });
  }
});
