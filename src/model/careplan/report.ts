/**
 * 村情 as the county server sends it to township and county reviewers (GET /api/dashboard): the
 * figures of each village of the reviewer's area as counts, computed on the server by the same
 * pure villageFigures the tablet runs. Who stands behind a number is asked for separately
 * (GET /api/dashboard/list), one figure of one village at a time, so a county's report is a few
 * kilobytes and not the ids of every member. One schema, checked where the report is read.
 */
import * as v from 'valibot';
import { FILING_STATUSES } from '../filing.ts';
import { Fen, Id, IsoDate, text } from '../record-parts.ts';
import type { VillageFigures } from './dashboard.ts';

/** The figures shown as a number (with a rate where it has an `of`), in the order shown. */
export const FIGURE_KEYS = ['households', 'members', 'registeredPoor', 'monitored', 'insuredThisYear', 'contracted', 'twoDiseases', 'followedUpThisQuarter', 'visitedThisQuarter'] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

const Count = v.pipe(v.number('must be a count'), v.integer('must be a whole number'), v.minValue(0, 'cannot be negative'));
const FigureCount = v.strictObject({ count: Count, of: v.nullable(Count) });

export const VillageReportSchema = v.strictObject({
  villageId: Id,
  code: v.pipe(v.string(), v.regex(/^[0-9]{12}$/, 'must be a 12-digit code')),
  name: text(100),
  townshipCode: v.string(),
  townshipName: text(100),
  figures: v.strictObject(Object.fromEntries(FIGURE_KEYS.map((k) => [k, FigureCount])) as Record<FigureKey, typeof FigureCount>),
  filingsByStatus: v.record(v.picklist(FILING_STATUSES, 'must be a filing status'), Count),
  approvedFen: Fen,
  paidFen: Fen,
});
export type VillageReport = v.InferOutput<typeof VillageReportSchema>;

export const DashboardReportSchema = v.strictObject({
  asOf: IsoDate,
  villages: v.pipe(v.array(VillageReportSchema, 'must be a list'), v.maxLength(5_000, 'at most 5,000 villages')),
});
export type DashboardReport = v.InferOutput<typeof DashboardReportSchema>;

/** The names behind one figure of one village (members by name; households by their head's name). */
export const FigureListSchema = v.strictObject({
  names: v.pipe(v.array(text(100), 'must be a list'), v.maxLength(100_000, 'too many names')),
});
export type FigureList = v.InferOutput<typeof FigureListSchema>;

/** A village's figures as counts. */
export function countsOf(f: VillageFigures): VillageReport['figures'] {
  return Object.fromEntries(FIGURE_KEYS.map((k) => [k, { count: f[k].ids.length, of: f[k].of }])) as VillageReport['figures'];
}

/** The sum of several villages' reports (a township's or the county's line). */
export function sumReports(list: readonly Pick<VillageReport, 'figures' | 'filingsByStatus' | 'approvedFen' | 'paidFen'>[]): Pick<VillageReport, 'figures' | 'filingsByStatus' | 'approvedFen' | 'paidFen'> {
  const figures = Object.fromEntries(FIGURE_KEYS.map((k) => [k, { count: 0, of: null as number | null }])) as VillageReport['figures'];
  const filingsByStatus: Record<string, number> = {};
  let approvedFen = 0;
  let paidFen = 0;
  for (const r of list) {
    for (const k of FIGURE_KEYS) {
      figures[k].count += r.figures[k].count;
      if (r.figures[k].of !== null) figures[k].of = (figures[k].of ?? 0) + r.figures[k].of!;
    }
    for (const [s, n] of Object.entries(r.filingsByStatus)) filingsByStatus[s] = (filingsByStatus[s] ?? 0) + (n ?? 0);
    approvedFen += r.approvedFen;
    paidFen += r.paidFen;
  }
  return { figures, filingsByStatus: filingsByStatus as VillageReport['filingsByStatus'], approvedFen, paidFen };
}
