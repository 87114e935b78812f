/**
 * Counties of a province for the tests and the province bench: the demo county generated once and
 * given another county code and ids of its own, k by k, so that many counties cost one generation.
 * Codes change only in the fields that hold an area code (a member's ID number keeps its valid
 * check digit); every id changes in the same place, so references between records still hold.
 */
import type { DemoCounty } from '../../src/model/demo/index.ts';

const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID = /"([0-9A-HJKMNP-TV-Z]{26})"/g;

/** The county code of the k-th county of the province (k from 0): 14 + city (2) + county (2). */
export function provinceCountyCode(k: number): string {
  return `14${String(10 + Math.floor(k / 20)).padStart(2, '0')}${String(1 + (k % 20)).padStart(2, '0')}`;
}

/** The k-th county's variant of an id: three characters of its random part say k. */
export function idInCounty(id: string, k: number): string {
  return `${id.slice(0, 10)}${BASE32[(k >> 10) & 31]!}${BASE32[(k >> 5) & 31]!}${BASE32[k & 31]!}${id.slice(13)}`;
}

/** `template` as county `code`, its ids the k-th variant. */
export function asCounty(template: DemoCounty, code: string, k: number): DemoCounty {
  const from = template.county.code;
  const text = JSON.stringify(template)
    .replace(ULID, (_, id: string) => `"${idInCounty(id, k)}"`)
    .replace(new RegExp(`"(code|countyCode|townshipCode)":"${from}`, 'g'), `"$1":"${code}`);
  return JSON.parse(text) as DemoCounty;
}
