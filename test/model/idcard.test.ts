import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdNumber, crossCheckId, ID_PROBLEM_MESSAGES, idCheckChar, makeIdNumber, type IdProblem } from '../../src/model/idcard.ts';

const TODAY = '2026-01-01';

/*
 * Check digits worked by hand: Σ digit × weight (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), mod 11, then
 * 0..10 → 1 0 X 9 8 7 6 5 4 3 2.
 *
 * 11010519491231002 (the standard's own example):
 *   1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 1·7 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4 + 2·2
 *   = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → X      → 11010519491231002X (F, 2 even)
 * 14113019580312001 (交口县, man born 1958-03-12):
 *   7+36+10+5+24+0+2+9+30+24+0+27+10+10+0+0+2 = 196; 196 mod 11 = 9 → 3    → 141130195803120013 (M)
 * 14113020160229024 (交口县, girl born on the leap day 2016-02-29):
 *   7+36+10+5+24+0+4+0+6+18+0+18+20+45+0+8+8 = 209; 209 mod 11 = 0 → 1    → 141130201602290241 (F)
 * 14112919750815003 (中阳县, man born 1975-08-15):
 *   1·7+4·9+1·10+1·5+2·8+9·4+1·2+9·1+7·6+5·3+0·7+8·9+1·10+5·5+0·8+0·4+3·2
 *   = 7+36+10+5+16+36+2+9+42+15+0+72+10+25+0+0+6 = 291; 291 mod 11 = 5 → 7 → 141129197508150037 (M)
 */
const HAND = [
  { id: '11010519491231002X', region: '110105', birth: '1949-12-31', sex: 'F' },
  { id: '141130195803120013', region: '141130', birth: '1958-03-12', sex: 'M' },
  { id: '141130201602290241', region: '141130', birth: '2016-02-29', sex: 'F' },
  { id: '141129197508150037', region: '141129', birth: '1975-08-15', sex: 'M' },
] as const;

describe('checkIdNumber', () => {
  it('accepts the hand-checked numbers and reads region, birth date and sex', () => {
    for (const h of HAND) {
      expect(checkIdNumber(h.id, TODAY)).toEqual({ ok: true, id: h.id, regionCode: h.region, birthDate: h.birth, sex: h.sex });
      expect(idCheckChar(h.id.slice(0, 17))).toBe(h.id[17]);
    }
  });

  it('reads a lower-case x as X and drops spaces', () => {
    const r = checkIdNumber('  11010519491231002x ', TODAY);
    expect(r).toMatchObject({ ok: true, id: '11010519491231002X' });
    expect(checkIdNumber('110105 19491231 002X', TODAY)).toMatchObject({ ok: true, id: '11010519491231002X' });
    expect(checkIdNumber('\u3000141130195803120013\u3000', TODAY)).toMatchObject({ ok: true, id: '141130195803120013' });
  });

  const bad: [string, IdProblem][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['１４１１３０１９５８０３１２００１３', 'fullwidth'],
    ['11010519491231002ｘ', 'fullwidth'],
    ['141130580312001', 'old-format'],
    ['14113019580312001', 'length'],
    ['1411301958031200133', 'length'],
    ['14113019580312001A', 'characters'],
    ['1411301958031200X3', 'characters'],
    ['14113019580312-013', 'characters'],
    ['001130195803120013', 'region'],
    ['991130195803120013', 'region'],
    ['141130195802300013', 'birth-date'], // 30 February
    ['141130190002290013', 'birth-date'], // 1900 was no leap year
    ['141130195813120013', 'birth-date'], // month 13
    ['141130195803000013', 'birth-date'], // day 0
    ['141130189912310013', 'birth-too-early'],
    ['141130202601020013', 'birth-future'],
    ['141130195803120014', 'check-digit'],
    ['141130195803120031', 'check-digit'], // two digits swapped
    ['11010519491231002', 'length'],
    ['110105194912310020', 'check-digit'],
  ];
  for (const [input, problem] of bad) {
    it(`refuses "${input}" with ${problem}`, () => {
      expect(checkIdNumber(input, TODAY)).toEqual({ ok: false, problem });
    });
  }

  it('accepts a birth date of today and refuses tomorrow', () => {
    const id = makeIdNumber('141130', '2026-01-01', 12);
    expect(checkIdNumber(id, '2026-01-01')).toMatchObject({ ok: true, birthDate: '2026-01-01', sex: 'F' });
    expect(checkIdNumber(id, '2025-12-31')).toEqual({ ok: false, problem: 'birth-future' });
  });

  it('defaults today to the current local date', () => {
    expect(checkIdNumber(makeIdNumber('141130', '2999-01-01', 1))).toEqual({ ok: false, problem: 'birth-future' });
    expect(checkIdNumber('141130195803120013').ok).toBe(true);
  });

  it('has a message in three languages for every problem', () => {
    const codes = [...new Set(bad.map(([, p]) => p)), 'birth-date-mismatch', 'sex-mismatch'] as const;
    expect(Object.keys(ID_PROBLEM_MESSAGES).sort()).toEqual([...codes].sort());
    for (const m of Object.values(ID_PROBLEM_MESSAGES)) {
      expect(m['zh-CN']).toMatch(/\p{Script=Han}/u);
      expect(m['zh-TW']).toMatch(/\p{Script=Han}/u);
      expect(m.en).toMatch(/^[A-Z]/);
    }
    expect(ID_PROBLEM_MESSAGES['check-digit']['zh-CN']).toContain('校验码');
  });
});

describe('crossCheckId', () => {
  const id = '141130195803120013';
  it('finds nothing when the entries agree or are missing', () => {
    expect(crossCheckId(id, { birthDate: '1958-03-12', sex: 'M' })).toEqual([]);
    expect(crossCheckId(id, {})).toEqual([]);
    expect(crossCheckId(id, { birthDate: null, sex: null })).toEqual([]);
    expect(crossCheckId('11010519491231002x', { birthDate: '1949-12-31', sex: 'F' })).toEqual([]);
  });
  it('names each mismatch', () => {
    expect(crossCheckId(id, { birthDate: '1958-12-03', sex: 'M' })).toEqual(['birth-date-mismatch']);
    expect(crossCheckId(id, { birthDate: '1958-03-12', sex: 'F' })).toEqual(['sex-mismatch']);
    expect(crossCheckId(id, { birthDate: '1958-03-13', sex: 'F' })).toEqual(['birth-date-mismatch', 'sex-mismatch']);
  });
});

describe('makeIdNumber', () => {
  it('builds the hand-checked numbers', () => {
    expect(makeIdNumber('110105', '1949-12-31', 2)).toBe('11010519491231002X');
    expect(makeIdNumber('141130', '1958-03-12', 1)).toBe('141130195803120013');
    expect(makeIdNumber('141130', '2016-02-29', 24)).toBe('141130201602290241');
    expect(makeIdNumber('141129', '1975-08-15', 3)).toBe('141129197508150037');
  });

  it('refuses bad arguments', () => {
    expect(() => makeIdNumber('14113', '1958-03-12', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('141130', '1958-02-30', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('141130', '19580312', 1)).toThrow(RangeError);
    expect(() => makeIdNumber('141130', '1958-03-12', 1000)).toThrow(RangeError);
    expect(() => makeIdNumber('141130', '1958-03-12', -1)).toThrow(RangeError);
    expect(() => makeIdNumber('141130', '1958-03-12', 1.5)).toThrow(RangeError);
  });

  const region = fc.constantFrom('110105', '141130', '141129', '141181', '440305', '650102', '810000');
  const date = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const seq = fc.integer({ min: 0, max: 999 });

  it('round-trips through checkIdNumber (property)', () => {
    fc.assert(
      fc.property(region, date, seq, (r, d, s) => {
        const id = makeIdNumber(r, d, s);
        expect(id).toMatch(/^\d{17}[\dX]$/);
        const c = checkIdNumber(id, TODAY);
        expect(c).toEqual({ ok: true, id, regionCode: r, birthDate: d, sex: s % 2 === 1 ? 'M' : 'F' });
        expect(crossCheckId(id, { birthDate: d, sex: s % 2 === 1 ? 'M' : 'F' })).toEqual([]);
        expect(checkIdNumber(id.toLowerCase(), TODAY)).toEqual(c);
      }),
      { numRuns: 2000 },
    );
  });

  it('any single changed digit is caught (property)', () => {
    fc.assert(
      fc.property(region, date, seq, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 9 }), (r, d, s, pos, delta) => {
        const id = makeIdNumber(r, d, s);
        const ch = id[pos]!;
        const next = ch === 'X' ? String(delta) : String((Number(ch) + delta) % 10);
        const changed = id.slice(0, pos) + next + id.slice(pos + 1);
        expect(checkIdNumber(changed, TODAY).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
