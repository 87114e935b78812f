/**
 * Roster import from .xlsx and .csv (docs/import.md): the file read (read.ts), its headings
 * recognised (headings.ts), its rows checked (rows.ts), compared with the server (plan.ts), and, when
 * nothing stands in the way and it is no dry run, written in one transaction as new records and new
 * revisions (sync/import.ts writeRecords) that the tablets pull like any other edit. Every attempt
 * is kept in the import history with its report.
 */
import { sql, type Kysely } from 'kysely';
import { localToday } from '../../model/idcard.ts';
import { ulid } from '../../model/ulid.ts';
import type { Tables } from '../db.ts';
import type { ImportTables } from '../migrations/imports.ts';
import { writeRecords } from '../sync/index.ts';
import { layoutOf, type Layout, type PartialLayout } from './headings.ts';
import { planImport, loadRoster, type Importer, type Plan } from './plan.ts';
import { readWorkbook, type Sheet, type Workbook } from './read.ts';
import { readRows } from './rows.ts';
import { MAX_LISTED, MAX_PROBLEMS, type ImportReport, type Problem } from './types.ts';

export type { ImportReport, Problem } from './types.ts';
export type { Importer } from './plan.ts';
export { FIELDS, type Field } from './headings.ts';

export interface ImportOptions {
  fileName: string;
  dryRun: boolean;
  /** Heading (as in the file) or column letter → field key or Chinese field name; '' leaves a column out. */
  mapping?: Record<string, string>;
  /** The sheet to read (by name); else the first whose headings are recognised. */
  sheet?: string;
  /** The instant of the import (tests set it). */
  now?: string;
}

/** Thrown inside the import's transaction so that nothing of a refused import stays. */
class Refused extends Error {
  constructor(readonly plan: Plan) {
    super('refused');
  }
}

const ENTITY_ORDER = { village: 0, household: 1, member: 2, status: 3 } as const;

function report(opts: ImportOptions, size: number, book: Workbook | null, sheet: Sheet | null, layout: PartialLayout | null, rows: number, problems: Problem[], plan: Plan | null, applied: boolean): ImportReport {
  const changes = plan && problems.length === 0 ? plan.changes.sort((a, b) => a.row - b.row || ENTITY_ORDER[a.entity] - ENTITY_ORDER[b.entity]) : [];
  const counts = plan && problems.length === 0 ? plan.counts : { village: { created: 0, updated: 0 }, household: { created: 0, updated: 0 }, member: { created: 0, updated: 0, unchanged: 0 }, status: { created: 0, updated: 0 } };
  const n = plan && problems.length === 0 ? plan.writes.length : 0;
  const ok = problems.length === 0 && book !== null;
  const sorted = [...problems].sort((a, b) => (a.row ?? 0) - (b.row ?? 0) || (a.column ?? '').length - (b.column ?? '').length || (a.column ?? '').localeCompare(b.column ?? ''));
  const c = counts;
  const what = [
    c.village.created && `新建行政村 ${c.village.created} 个`,
    c.household.created && `新建 ${c.household.created} 户`,
    c.member.created && `新增 ${c.member.created} 人`,
    c.household.updated && `修改 ${c.household.updated} 户`,
    c.member.updated && `修改 ${c.member.updated} 人`,
    c.status.created + c.status.updated && `身份变动 ${c.status.created + c.status.updated} 人次`,
  ].filter(Boolean);
  const summary = !ok
    ? `发现 ${problems.length} 个问题，什么都没有导入；请按行、列改正后再导入`
    : n === 0
      ? `共 ${rows} 行，与服务器上的花名册一致：0 处改动`
      : `${opts.dryRun ? '预演（尚未写入）：将' : '已导入：'}${what.join('，')}，共 ${n} 处改动${c.member.unchanged ? `；${c.member.unchanged} 人无改动` : ''}`;
  return {
    ok,
    dryRun: opts.dryRun,
    applied,
    file: { name: opts.fileName, format: book?.format ?? null, encoding: book?.encoding ?? null, sheet: sheet?.name ?? null, size },
    headingRow: layout?.headingRow ?? null,
    columns: layout?.described ?? [],
    rows,
    problems: sorted.slice(0, MAX_PROBLEMS),
    counts,
    changes: n,
    changeList: changes.slice(0, MAX_LISTED),
    listed: Math.min(changes.length, MAX_LISTED),
    summary: problems.length > MAX_PROBLEMS ? `${summary}（只列出前 ${MAX_PROBLEMS} 个问题）` : summary,
  };
}

/** The sheet to import: the one named, else the first whose heading row is found. */
function pickSheet(book: Workbook, opts: ImportOptions): { sheet: Sheet; layout: Layout } | { sheet: Sheet | null; problems: Problem[]; partial?: PartialLayout } {
  if (opts.sheet !== undefined) {
    const s = book.sheets.find((x) => x.name === opts.sheet);
    if (!s) return { sheet: null, problems: [{ row: null, column: null, message: `文件里没有名为“${opts.sheet}”的工作表；有：${book.sheets.map((x) => x.name).join('、')}` }] };
    const l = layoutOf(s.rows, opts.mapping);
    return l.ok ? { sheet: s, layout: l.layout } : { sheet: s, problems: l.problems, ...(l.partial ? { partial: l.partial } : {}) };
  }
  const filled = book.sheets.filter((s) => s.rows.some((r) => r.some((c) => c.text !== '')));
  if (filled.length === 0) return { sheet: book.sheets[0] ?? null, problems: [{ row: 1, column: null, message: book.sheets.length > 1 ? '每个工作表都是空的' : '工作表是空的：没有表头，也没有数据' }] };
  // Refused: the problems of the first sheet whose heading row was found (its columns, for a
  // mapping), else of the first sheet.
  let first: { sheet: Sheet; problems: Problem[]; partial?: PartialLayout } | null = null;
  for (const s of filled) {
    const l = layoutOf(s.rows, opts.mapping);
    if (l.ok) return { sheet: s, layout: l.layout };
    if (!first || (l.partial && !first.partial)) first = { sheet: s, problems: l.problems, ...(l.partial ? { partial: l.partial } : {}) };
  }
  return first!;
}

/**
 * Imports a roster file for a user (admin: anywhere; others: their areas), or with `dryRun` says
 * what it would do. Nothing is written unless every row is right; the report says which rows and
 * columns are not. Every attempt is kept in the history (`imports`).
 */
export async function importRoster(db: Kysely<Tables>, by: Importer, bytes: Uint8Array, opts: ImportOptions): Promise<ImportReport> {
  const now = opts.now ?? new Date().toISOString();
  const today = opts.now ? opts.now.slice(0, 10) : localToday();
  const done = async (r: ImportReport, counties: Set<string>) => {
    await saveImport(db, by, r, counties, now);
    return r;
  };
  const areaCounties = new Set(by.areas.map((a) => a.slice(0, 6)));
  const read = await readWorkbook(bytes);
  if (!read.ok) return done(report(opts, bytes.length, null, null, null, 0, [read.problem], null, false), areaCounties);
  const book = read.book;
  const picked = pickSheet(book, opts);
  if ('problems' in picked) return done(report(opts, bytes.length, book, picked.sheet, picked.partial ?? null, 0, picked.problems, null, false), areaCounties);
  const { sheet, layout } = picked;
  const checked = readRows(sheet.rows, layout, today);
  const plan = async (trxOrDb: Kysely<Tables>) => planImport(await loadRoster(trxOrDb), checked.rows, layout, by, now);
  const counties = (p: Plan) => new Set([...areaCounties, ...p.counties]);

  if (opts.dryRun || checked.problems.length) {
    const p = await plan(db);
    const problems = [...checked.problems, ...p.problems];
    return done(report(opts, bytes.length, book, sheet, layout, checked.read, problems, p, false), counties(p));
  }
  try {
    return await db.transaction().execute(async (trx) => {
      // The sequence counter locked first (push takes it before it reads), so no push changes a
      // record between the comparison and the write.
      await trx.updateTable('counters').set({ value: sql`value` }).where('name', '=', 'seq').execute();
      const p = await plan(trx);
      if (p.problems.length) throw new Refused(p);
      await writeRecords(trx, p.writes, by, now);
      const r = report(opts, bytes.length, book, sheet, layout, checked.read, [], p, true);
      await saveImport(trx, by, r, counties(p), now);
      return r;
    });
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    return done(report(opts, bytes.length, book, sheet, layout, checked.read, e.plan.problems, e.plan, false), counties(e.plan));
  }
}

async function saveImport(db: Kysely<Tables>, by: Importer, r: ImportReport, counties: Set<string>, at: string): Promise<void> {
  await db
    .withTables<ImportTables>()
    .insertInto('imports')
    .values({
      id: ulid(),
      at,
      user_id: by.userId,
      username: by.username,
      role: by.role,
      device_id: by.deviceId,
      file_name: r.file.name,
      format: r.file.format ?? 'unknown',
      encoding: r.file.encoding,
      dry_run: r.dryRun ? 1 : 0,
      ok: r.ok ? 1 : 0,
      rows: r.rows,
      changes: r.changes,
      counties: JSON.stringify([...counties].sort()),
      report: JSON.stringify(r),
    })
    .execute();
}

export interface ImportEntry {
  id: string;
  at: string;
  username: string;
  role: string;
  fileName: string;
  format: string;
  encoding: string | null;
  dryRun: boolean;
  ok: boolean;
  rows: number;
  changes: number;
  counties: string[];
  report: ImportReport;
}

/** The import history, newest first: all of it for the administrator, else the imports of the user's counties. */
export async function listImports(db: Kysely<Tables>, p: Pick<Importer, 'role' | 'areas' | 'userId'>, limit = 50): Promise<ImportEntry[]> {
  const idb = db.withTables<ImportTables>();
  // The list first (without the reports, which may be large), then the reports of the entries shown.
  const list = await idb.selectFrom('imports').select(['id', 'user_id', 'counties']).orderBy('at', 'desc').orderBy('id', 'desc').execute();
  const mine = new Set(p.areas.map((a) => a.slice(0, 6)));
  const ids = list.filter((r) => p.role === 'admin' || r.user_id === p.userId || (JSON.parse(r.counties) as string[]).some((c) => mine.has(c))).slice(0, limit).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await idb.selectFrom('imports').selectAll().where('id', 'in', ids).orderBy('at', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => ({
      id: r.id,
      at: r.at,
      username: r.username,
      role: r.role,
      fileName: r.file_name,
      format: r.format,
      encoding: r.encoding,
      dryRun: r.dry_run === 1,
      ok: r.ok === 1,
      rows: r.rows,
      changes: r.changes,
      counties: JSON.parse(r.counties) as string[],
      report: JSON.parse(r.report) as ImportReport,
    }));
}
