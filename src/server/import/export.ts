/**
 * The county server's exports as .xlsx (docs/import.md): the roster of an area with the headings the
 * import reads back (export → import gives the same roster), the import template, the chronic
 * enrolments, the village 台账 of a year and the filings. Which rows and cells each has is the
 * model's (src/model/exports/), the same code the tablet's offline exports run; here the records of
 * the area are read and the workbook written. Each file names the area, the date of the export and
 * the policy pack with its version.
 */
import type { Kysely } from 'kysely';
import writeXlsxFile from 'write-excel-file/node';
import type { Contract, Followup, HouseholdVisit } from '../../model/careplan/records.ts';
import { enrolmentsBook, exportArea, filingsBook, ledgerBook, rosterBook, templateBook, toWriteExcel, type ExportArea, type ExportFiling, type Workbook } from '../../model/exports/index.ts';
import type { LedgerEntry } from '../../model/records.ts';
import type { Enrolment, Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import { inAreas, inJurisdiction, type Principal } from '../auth.ts';
import type { Tables } from '../db.ts';
import { todayInChina } from '../filings.ts';

export { EXPORT_FIELDS } from '../../model/exports/index.ts';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A written export: the file, its name, and what it holds. */
export interface XlsxExport {
  bytes: Buffer;
  fileName: string;
  villages: number;
  /** Rows of data in its first sheet. */
  rows: number;
}
export interface RosterExport extends XlsxExport {
  members: number;
}

export interface ExportOptions {
  /** A county, township or village code within the user's area. */
  area?: string;
  now?: Date;
}

type Loaded = {
  village: Village[];
  household: Household[];
  member: Member[];
  status: StatusRecord[];
  enrolment: Enrolment[];
  followup: Followup[];
  visit: HouseholdVisit[];
  contract: Contract[];
  ledger: LedgerEntry[];
  filing: ExportFiling[];
};
type Kind = keyof Loaded;

/** The records of these kinds in the user's area (or in `area` within it), parsed. */
async function load<K extends Kind>(db: Kysely<Tables>, p: Pick<Principal, 'role' | 'areas'>, kinds: readonly K[], area: string | undefined): Promise<Pick<Loaded, K | 'village'>> {
  const entities: Kind[] = [...new Set<Kind>(['village', ...kinds])];
  const out = Object.fromEntries(entities.map((e) => [e, []])) as unknown as Record<Kind, unknown[]>;
  let q = db.selectFrom('records').select(['entity', 'data', 'village_code']).where('entity', 'in', entities).where('deleted', '=', 0);
  if (area) q = q.where(inAreas([area]));
  else if (p.role !== 'admin') q = q.where(inAreas(p.areas));
  for (const r of await q.execute()) {
    if (!inJurisdiction(p, r.village_code) || (area && !r.village_code.startsWith(area))) continue;
    out[r.entity as Kind].push(JSON.parse(r.data));
  }
  return out as unknown as Pick<Loaded, K | 'village'>;
}

/** The area the file names: the code asked for, or the user's own. */
function areaOf(p: Pick<Principal, 'role' | 'areas'>, villages: readonly Village[], area: string | undefined): ExportArea {
  const codes = area ? [area] : p.role === 'admin' ? ['全部'] : p.areas;
  const scope = area ?? (p.role !== 'admin' && p.areas.length === 1 ? p.areas[0]! : null);
  return exportArea(villages, scope, codes);
}

async function written(book: Workbook, villages: number): Promise<XlsxExport> {
  const bytes = await writeXlsxFile(toWriteExcel(book) as never, {}).toBuffer();
  return { bytes, fileName: book.fileName, villages, rows: book.rows };
}

const dateOf = (opts: ExportOptions) => todayInChina((opts.now ?? new Date()).getTime());

/**
 * The roster of the user's area (or of `area`, a code prefix within it) as .xlsx: one row per
 * member, the household's head first, with the latest status.
 */
export async function rosterXlsx(db: Kysely<Tables>, p: Pick<Principal, 'role' | 'areas'>, opts: ExportOptions = {}): Promise<RosterExport> {
  const r = await load(db, p, ['household', 'member', 'status'], opts.area);
  const book = rosterBook({ villages: r.village, households: r.household, members: r.member, statuses: r.status }, areaOf(p, r.village, opts.area), dateOf(opts));
  const x = await written(book, r.village.length);
  return { ...x, members: x.rows };
}

/** Chronic-disease enrolments of the area. */
export async function enrolmentsXlsx(db: Kysely<Tables>, p: Pick<Principal, 'role' | 'areas'>, opts: ExportOptions = {}): Promise<XlsxExport> {
  const r = await load(db, p, ['household', 'member', 'status', 'enrolment'], opts.area);
  return written(enrolmentsBook({ villages: r.village, households: r.household, members: r.member, statuses: r.status, enrolments: r.enrolment }, areaOf(p, r.village, opts.area), dateOf(opts)), r.village.length);
}

/** The village 台账 of a year for the area: a row per person, and the year's recorded claims. */
export async function ledgerXlsx(db: Kysely<Tables>, p: Pick<Principal, 'role' | 'areas'>, year: number, opts: ExportOptions = {}): Promise<XlsxExport> {
  const r = await load(db, p, ['household', 'member', 'status', 'enrolment', 'followup', 'visit', 'contract', 'ledger', 'filing'], opts.area);
  const input = { villages: r.village, households: r.household, members: r.member, statuses: r.status, enrolments: r.enrolment, followups: r.followup, visits: r.visit, contracts: r.contract, ledger: r.ledger, filings: r.filing };
  return written(ledgerBook(input, areaOf(p, r.village, opts.area), dateOf(opts), year), r.village.length);
}

/** The proxy filings of the area (of one year, when given). */
export async function filingsXlsx(db: Kysely<Tables>, p: Pick<Principal, 'role' | 'areas'>, opts: ExportOptions & { year?: number } = {}): Promise<XlsxExport> {
  const r = await load(db, p, ['household', 'member', 'filing'], opts.area);
  return written(filingsBook({ villages: r.village, households: r.household, members: r.member, statuses: [], filings: r.filing }, areaOf(p, r.village, opts.area), dateOf(opts), opts.year ?? null), r.village.length);
}

/** The import template: the headings (ID and phone columns formatted as text) and a sheet of instructions. */
export async function templateXlsx(): Promise<Buffer> {
  return writeXlsxFile(toWriteExcel(templateBook()) as never, {}).toBuffer();
}
