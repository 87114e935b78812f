/**
 * 村情 for township and county reviewers, online (GET /api/dashboard): the figures of every village
 * of the reviewer's area, computed here from the county's records by the same pure villageFigures
 * the tablet runs on its own store (src/model/careplan/dashboard.ts), sent as counts
 * (src/model/careplan/report.ts); the names behind one figure of one village on request.
 */
import type { Kysely } from 'kysely';
import { countsOf, emptyFigures, FIGURE_KEYS, villageFigures, type DashboardInput, type DashboardReport, type FigureKey, type FigureList, type VillageFigures } from '../model/careplan/index.ts';
import type { Household, Member, Village } from '../model/roster.ts';
import { inAreas, inCounties, type Principal } from './auth.ts';
import type { Tables } from './db.ts';
import { HttpError, todayInChina } from './filings.ts';

const READERS: readonly Principal['role'][] = ['township-reviewer', 'county-reviewer', 'admin'];
const ENTITIES = ['village', 'household', 'member', 'status', 'enrolment', 'followup', 'visit', 'contract', 'filing'] as const;
type Loaded = { [K in (typeof ENTITIES)[number]]: unknown[] };

function mayRead(p: Principal): void {
  if (!READERS.includes(p.role)) throw new HttpError(403, 'forbidden', '村情汇总仅供乡镇和县级审核人员查看 (for township and county reviewers)');
}

/** The area codes the principal reads, narrowed to `area` when given (an area outside theirs gives none). */
function prefixesOf(p: Principal, area: string | undefined): string[] {
  if (area !== undefined && !/^[0-9]{6,12}$/.test(area)) throw new HttpError(400, 'invalid', 'area: 应为 6 到 12 位行政区划代码 (must be a 6- to 12-digit area code)', 'area');
  const mine = p.role === 'admin' ? [''] : p.areas;
  if (area === undefined) return mine;
  return mine.some((a) => area.startsWith(a)) ? [area] : mine.filter((a) => a.startsWith(area));
}

/** The records under the given area codes, parsed, by entity. */
async function load(db: Kysely<Tables>, prefixes: readonly string[]): Promise<Loaded> {
  const out = Object.fromEntries(ENTITIES.map((e) => [e, [] as unknown[]])) as Loaded;
  if (prefixes.length === 0) return out;
  const rows = await db
    .selectFrom('records')
    .select(['entity', 'data'])
    .where('deleted', '=', 0)
    .where('entity', 'in', [...ENTITIES])
    .where(inAreas(prefixes))
    .execute();
  for (const r of rows) out[r.entity as keyof Loaded].push(JSON.parse(r.data));
  return out;
}

function figuresOf(rows: Loaded, today: string): VillageFigures[] {
  const input = { today, members: rows.member, households: rows.household, statuses: rows.status, enrolments: rows.enrolment, followups: rows.followup, visits: rows.visit, contracts: rows.contract, filings: rows.filing } as unknown as DashboardInput;
  return villageFigures(input);
}

/** Every village of the area, with its figures as counts (a village with no records yet shows zeros). */
export async function dashboardReport(db: Kysely<Tables>, p: Principal, query: { area?: string }): Promise<DashboardReport> {
  mayRead(p);
  const today = todayInChina();
  const rows = await load(db, prefixesOf(p, query.area || undefined));
  const figures = new Map(figuresOf(rows, today).map((f) => [f.villageId, f]));
  const villages = (rows.village as Village[]).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    asOf: today,
    villages: villages.map((v) => {
      const f = figures.get(v.id);
      return {
        villageId: v.id,
        code: v.code,
        name: v.name,
        townshipCode: v.townshipCode,
        townshipName: v.townshipName,
        figures: countsOf(f ?? emptyFigures(v.id)),
        filingsByStatus: (f?.filingsByStatus ?? {}) as DashboardReport['villages'][number]['filingsByStatus'],
        approvedFen: f?.approvedFen ?? 0,
        paidFen: f?.paidFen ?? 0,
      };
    }),
  };
}

/** The names behind one figure of one village of the area: members by name, households by their head's. */
export async function figureList(db: Kysely<Tables>, p: Principal, query: { village?: string; figure?: string }): Promise<FigureList> {
  mayRead(p);
  const figure = query.figure as FigureKey;
  if (!FIGURE_KEYS.includes(figure)) throw new HttpError(400, 'invalid', `figure: 应为 ${FIGURE_KEYS.join('、')} 之一 (must be one of them)`, 'figure');
  if (!query.village || !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(query.village)) throw new HttpError(400, 'invalid', 'village: 应为村的编号 (must be a village id)', 'village');
  const village = await db.selectFrom('records').select('village_code').where(inCounties(p)).where('entity', '=', 'village').where('id', '=', query.village).where('deleted', '=', 0).executeTakeFirst();
  const mine = p.role === 'admin' ? [''] : p.areas;
  if (!village || !mine.some((a) => village.village_code.startsWith(a))) throw new HttpError(404, 'not-found', '您的辖区内没有这个村 (no such village in your area)', 'village');
  const rows = await load(db, [village.village_code]);
  const f = figuresOf(rows, todayInChina()).find((x) => x.villageId === query.village);
  const members = new Map((rows.member as Member[]).map((m) => [m.id, m]));
  const households = new Map((rows.household as Household[]).map((h) => [h.id, h]));
  const nameOf = (id: string): string => {
    const m = members.get(id);
    if (m) return m.name;
    const h = households.get(id);
    if (h) return (h.headMemberId && members.get(h.headMemberId)?.name) || `第 ${h.number} 户`;
    return id;
  };
  return { names: (f?.[figure].ids ?? []).map(nameOf) };
}
