/**
 * Roster import from CSV (one row per member; households and villages are gathered from the rows).
 * Every row is checked; any error and nothing is imported, with a report naming row and column.
 *
 * Columns (header row, in any order):
 *   county_code county_name township_code township_name village_code village_name pack_id
 *   household_number address household_phone name id_number relation phone
 *   poverty poverty_from poor_class assistance
 */
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../model/idcard.ts';
import { namePinyin } from '../model/pinyin.ts';
import { RELATIONS, type Enrolment, type Household, type Member, type Relation, type StatusRecord, type Village } from '../model/roster.ts';
import { ulid } from '../model/ulid.ts';
import { builtinPackIds, isIsoDate } from '../rules/index.ts';
import type { CountyData } from './sync/index.ts';

export const CSV_COLUMNS = [
  'county_code', 'county_name', 'township_code', 'township_name', 'village_code', 'village_name', 'pack_id',
  'household_number', 'address', 'household_phone', 'name', 'id_number', 'relation', 'phone',
  'poverty', 'poverty_from', 'poor_class', 'assistance',
] as const;
type Col = (typeof CSV_COLUMNS)[number];

export interface RowError {
  row: number;
  column: Col | 'row';
  message: string;
}

/**
 * RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Blank lines are dropped, unless
 * `keepEmpty` (the Excel import keeps them, so its row numbers are the file's lines).
 */
export function parseCsv(text: string, opts: { keepEmpty?: boolean } = {}): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return opts.keepEmpty ? rows : rows.filter((r) => r.some((f) => f.trim() !== ''));
}

export async function rosterFromCsv(text: string, now = new Date().toISOString()): Promise<{ ok: true; data: CountyData } | { ok: false; errors: RowError[] }> {
  const rows = parseCsv(text);
  const errors: RowError[] = [];
  const header = (rows.shift() ?? []).map((h) => h.trim());
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) return { ok: false, errors: missing.map((c) => ({ row: 1, column: c, message: `表头缺少列 ${c} (missing column)` })) };
  const idx = Object.fromEntries(CSV_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<Col, number>;
  const villages = new Map<string, Village>();
  const households = new Map<string, Household>();
  const members: Member[] = [];
  const statuses: StatusRecord[] = [];
  const seenIds = new Map<string, number>();
  const packs = builtinPackIds();

  for (const [i, r] of rows.entries()) {
    const rowNo = i + 2;
    const get = (c: Col) => (r[idx[c]] ?? '').trim();
    const err = (column: Col | 'row', message: string) => errors.push({ row: rowNo, column, message });
    const before = errors.length;
    if (r.length !== header.length) err('row', `应有 ${header.length} 列，实有 ${r.length} 列 (wrong number of columns)`);
    if (!/^[0-9]{6}$/.test(get('county_code'))) err('county_code', '县代码应为 6 位数字');
    if (!/^[0-9]{9}$/.test(get('township_code')) || !get('township_code').startsWith(get('county_code'))) err('township_code', '乡镇代码应为 9 位数字，以县代码开头');
    if (!/^[0-9]{12}$/.test(get('village_code')) || !get('village_code').startsWith(get('township_code'))) err('village_code', '村代码应为 12 位数字，以乡镇代码开头');
    for (const c of ['county_name', 'township_name', 'village_name', 'name', 'address'] as const) if (!get(c)) err(c, '必填 (required)');
    if (!packs.includes(get('pack_id'))) err('pack_id', `未知政策包，应为 ${packs.join('、')}`);
    if (!/^[0-9A-Za-z-]{1,20}$/.test(get('household_number'))) err('household_number', '户编号应为 1 到 20 位数字或字母');
    const id = checkIdNumber(get('id_number'));
    if (!id.ok) err('id_number', ID_PROBLEM_MESSAGES[id.problem]['zh-CN']);
    else if (seenIds.has(id.id)) err('id_number', `与第 ${seenIds.get(id.id)} 行身份证号重复`);
    else seenIds.set(id.id, rowNo);
    if (!RELATIONS.includes(get('relation') as Relation)) err('relation', `与户主关系应为 ${RELATIONS.join('、')}`);
    for (const c of ['phone', 'household_phone'] as const) if (get(c) && !/^(1[3-9][0-9]{9}|0[0-9]{9,11})$/.test(get(c))) err(c, '电话号码格式不对');
    if (!['poor', 'lifted', 'monitored', 'none'].includes(get('poverty'))) err('poverty', '贫困身份应为 poor、lifted、monitored 或 none');
    if (!isIsoDate(get('poverty_from'))) err('poverty_from', '应为日期 YYYY-MM-DD');
    if (!['', '1', '2'].includes(get('poor_class'))) err('poor_class', '贫困类别应为 1、2 或留空');
    if (!['', 'tekun', 'dibao'].includes(get('assistance'))) err('assistance', '救助身份应为 tekun、dibao 或留空');
    if (errors.length > before || !id.ok) continue;

    const vcode = get('village_code');
    let v = villages.get(vcode);
    if (!v) {
      v = { id: ulid(), code: vcode, name: get('village_name'), townshipCode: get('township_code'), townshipName: get('township_name'), countyCode: get('county_code'), countyName: get('county_name'), packId: get('pack_id') };
      villages.set(vcode, v);
    }
    const hkey = `${vcode}/${get('household_number')}`;
    let h = households.get(hkey);
    if (!h) {
      h = { id: ulid(), villageId: v.id, number: get('household_number'), address: get('address'), headMemberId: null, phone: get('household_phone') || null, createdAt: now, updatedAt: now, rev: 1 };
      households.set(hkey, h);
    }
    const { pinyin, initials } = await namePinyin(get('name'));
    const m: Member = {
      id: ulid(), householdId: h.id, villageId: v.id, name: get('name'), pinyin, initials, idNumber: id.id, sex: id.sex, birthDate: id.birthDate,
      relation: get('relation') as Relation, phone: get('phone') || null, state: 'active', stateDate: null,
      insured: { scheme: 'resident', year: Number(now.slice(0, 4)) }, createdAt: now, updatedAt: now, rev: 1,
    };
    if (m.relation === 'head') {
      if (h.headMemberId) err('relation', `户 ${h.number} 已有户主`);
      else h.headMemberId = m.id;
    }
    members.push(m);
    statuses.push({ id: ulid(), memberId: m.id, from: get('poverty_from'), poverty: get('poverty') as StatusRecord['poverty'], poorClass: get('poor_class') ? (Number(get('poor_class')) as 1 | 2) : null, assistance: (get('assistance') || null) as StatusRecord['assistance'], note: null, createdAt: now });
  }
  if (rows.length === 0) errors.push({ row: 2, column: 'row', message: '没有数据行 (no data rows)' });
  if (errors.length) return { ok: false, errors };
  const enrolments: Enrolment[] = [];
  return { ok: true, data: { villages: [...villages.values()], households: [...households.values()], members, statuses, enrolments } };
}
