import { describe, expect, it } from 'vitest';
import { ageOn } from '../../src/model/roster.ts';

describe('ageOn: full years, the one rule for the tablet and the county server', () => {
  it('counts a year only from the birthday on', () => {
    expect(ageOn('1953-10-09', '2026-10-08')).toBe(72);
    expect(ageOn('1953-10-09', '2026-10-09')).toBe(73);
    expect(ageOn('1953-10-09', '2026-12-31')).toBe(73);
  });
  it('a 29 February birthday counts from 1 March in other years', () => {
    expect(ageOn('2000-02-29', '2023-02-28')).toBe(22);
    expect(ageOn('2000-02-29', '2023-03-01')).toBe(23);
    expect(ageOn('2000-02-29', '2024-02-29')).toBe(24);
  });
  it('is null without a valid birth date', () => {
    expect(ageOn(undefined, '2026-01-01')).toBeNull();
    expect(ageOn('', '2026-01-01')).toBeNull();
    expect(ageOn('1953/10/09', '2026-01-01')).toBeNull();
  });
});
