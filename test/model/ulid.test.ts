import { describe, expect, it } from 'vitest';
import { isUlid, ulid } from '../../src/model/ulid.ts';

describe('ulid', () => {
  it('stays in creation order when the clock is set back', () => {
    const t = Date.UTC(2026, 2, 1, 9, 0, 0);
    const ids = [ulid(t), ulid(t), ulid(t - 3_600_000), ulid(t - 3_600_000), ulid(t - 1), ulid(t + 5)];
    expect(ids.every(isUlid)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Once the clock passes the last id's time again, ids carry the new time.
    expect(ulid(t + 10).slice(0, 10) > ids.at(-1)!.slice(0, 10)).toBe(true);
  });
});
