/**
 * The import and export routes' requests (src/server/app.ts): who may import, the file as the
 * raw request body (`application/octet-stream`, `text/csv` or the .xlsx type) with its name in
 * `x-cunyi-filename` (URL-encoded), `?dryRun=1`, `?mapping=` (JSON, URL-encoded) and `?sheet=`.
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../auth.ts';
import type { Tables } from '../db.ts';
import { HttpError, todayInChina } from '../filings.ts';
import { enrolmentsXlsx, filingsXlsx, ledgerXlsx, rosterXlsx, templateXlsx, type RosterExport, type XlsxExport } from './export.ts';
import { importRoster, listImports, type ImportEntry, type ImportReport } from './index.ts';

/** The largest roster file taken: 100,000 members make an .xlsx of about 6 MB, a CSV of about 12 MB. */
export const IMPORT_LIMIT = 40 * 1024 * 1024;

const IMPORTERS = new Set(['admin', 'county-reviewer']);

function mayImport(p: Principal): void {
  if (!IMPORTERS.has(p.role)) throw new HttpError(403, 'forbidden', '只有管理员和县级用户可以导入花名册、查看导入记录 (only the administrator and county users import rosters)');
}

function flag(v: string | undefined, name: string): boolean {
  if (v === undefined || v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new HttpError(400, 'invalid', `${name}: 1 or 0`, name);
}

export async function importRequest(db: Kysely<Tables>, p: Principal, query: unknown, headers: Record<string, unknown>, body: unknown): Promise<ImportReport> {
  mayImport(p);
  const q = (query ?? {}) as Record<string, string | undefined>;
  if (!Buffer.isBuffer(body)) throw new HttpError(415, 'unsupported-media-type', '请把文件本身作为请求体发送（Content-Type: application/octet-stream、text/csv 或 .xlsx 的类型）', 'body');
  let fileName = 'roster';
  const h = headers['x-cunyi-filename'];
  if (typeof h === 'string' && h !== '') {
    try {
      fileName = decodeURIComponent(h).slice(0, 200);
    } catch {
      throw new HttpError(400, 'invalid', 'x-cunyi-filename: URL-encode the file name', 'headers.x-cunyi-filename');
    }
    if (/[\u0000-\u001f]/.test(fileName)) throw new HttpError(400, 'invalid', 'x-cunyi-filename: no control characters', 'headers.x-cunyi-filename');
  }
  let mapping: Record<string, string> | undefined;
  if (q.mapping) {
    try {
      mapping = JSON.parse(q.mapping) as Record<string, string>;
    } catch {
      throw new HttpError(400, 'invalid', 'mapping: a JSON object of heading (or column letter) to field', 'mapping');
    }
    if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping) || Object.values(mapping).some((v) => typeof v !== 'string')) {
      throw new HttpError(400, 'invalid', 'mapping: a JSON object of heading (or column letter) to field', 'mapping');
    }
  }
  return importRoster(db, p, body, { fileName, dryRun: flag(q.dryRun, 'dryRun'), ...(mapping ? { mapping } : {}), ...(q.sheet ? { sheet: q.sheet } : {}) });
}

export async function importsRequest(db: Kysely<Tables>, p: Principal, query: unknown): Promise<{ imports: ImportEntry[] }> {
  mayImport(p);
  const limit = Number((query as Record<string, string | undefined>)?.limit ?? 50);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) throw new HttpError(400, 'invalid', 'limit: 1 to 500', 'limit');
  return { imports: await listImports(db, p, limit) };
}

/** `?area=`: a county, township or village code within the user's area (undefined: all of it). */
function areaParam(p: Principal, query: unknown): string | undefined {
  const area = (query as Record<string, string | undefined>)?.area;
  if (area === undefined || area === '') return undefined;
  if (!/^[0-9]{6}([0-9]{3}([0-9]{3})?)?$/.test(area)) throw new HttpError(400, 'invalid', 'area 区域：应为县（6 位）、乡镇（9 位）或行政村（12 位）代码 (area: a county (6), township (9) or village (12) code)', 'area');
  if (p.role !== 'admin' && !p.areas.some((a) => area.startsWith(a) || a.startsWith(area))) throw new HttpError(403, 'forbidden', '不在您负责的范围内 (outside your area)', 'area');
  return area;
}

/** `?year=`: a year from 2000 to next year. */
function yearParam(query: unknown, required: boolean): number | undefined {
  const y = (query as Record<string, string | undefined>)?.year;
  if (y === undefined || y === '') {
    if (required) throw new HttpError(400, 'invalid', 'year 年度：请给出年度，如 ?year=2026 (year: required, e.g. ?year=2026)', 'year');
    return undefined;
  }
  const next = Number(todayInChina().slice(0, 4)) + 1;
  if (!/^[0-9]{4}$/.test(y) || Number(y) < 2000 || Number(y) > next) throw new HttpError(400, 'invalid', `year 年度：应为 2000 到 ${next} 之间的四位年份 (year: a four-digit year from 2000 to ${next})`, 'year');
  return Number(y);
}

/** The roster of the user's area, or of `?area=` (a code within it). */
export async function rosterRequest(db: Kysely<Tables>, p: Principal, query: unknown): Promise<RosterExport> {
  const area = areaParam(p, query);
  return rosterXlsx(db, p, area ? { area } : {});
}

/** Chronic enrolments of the user's area, or of `?area=`. */
export async function enrolmentsRequest(db: Kysely<Tables>, p: Principal, query: unknown): Promise<XlsxExport> {
  const area = areaParam(p, query);
  return enrolmentsXlsx(db, p, area ? { area } : {});
}

/** The 台账 of `?year=` for the user's area, or of `?area=`. */
export async function ledgerRequest(db: Kysely<Tables>, p: Principal, query: unknown): Promise<XlsxExport> {
  const area = areaParam(p, query);
  const year = yearParam(query, true)!;
  return ledgerXlsx(db, p, year, area ? { area } : {});
}

/** The filings of the user's area, or of `?area=`, of `?year=` when given. */
export async function filingsRequest(db: Kysely<Tables>, p: Principal, query: unknown): Promise<XlsxExport> {
  const area = areaParam(p, query);
  const year = yearParam(query, false);
  return filingsXlsx(db, p, { ...(area ? { area } : {}), ...(year ? { year } : {}) });
}

export { templateXlsx };

/** Content-Disposition for a download with a Chinese file name (RFC 6266: an ASCII fallback and filename*). */
export function attachment(fileName: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
