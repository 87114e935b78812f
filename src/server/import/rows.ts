/**
 * The data rows of a roster sheet checked one by one, on their own (what the server holds is
 * compared later, in plan.ts): every problem of every cell is reported with its row and column,
 * an ID number repeated in the file names the row it first appeared in.
 */
import { checkIdNumber, crossCheckId, ID_PROBLEM_MESSAGES } from '../../model/idcard.ts';
import type { Relation, StatusRecord } from '../../model/roster.ts';
import { builtinPackIds } from '../../rules/index.ts';
import { FIELD_INFO, type Field, type Layout } from './headings.ts';
import { columnName, type Cell } from './read.ts';
import type { Problem } from './types.ts';
import { readDate, readKind, readLifted, readPhone, readPoorClass, readRelation, readSex, readYear, readYesNo, SCIENTIFIC, type Read } from './values.ts';

/** Where a row says its member lives: codes and names as given (either may be missing). */
export interface Place {
  countyCode?: string;
  county?: string;
  packId?: string;
  townshipCode?: string;
  township?: string;
  villageCode?: string;
  village?: string;
}

/** What a row says of a member's poverty and assistance; a field not said is left as the server has it. */
export interface RowStatus {
  poverty?: StatusRecord['poverty'];
  assistance?: StatusRecord['assistance'];
  /** Assistance the row says the member does not have (是否特困 否), whatever else it leaves open. */
  not?: ('dibao' | 'tekun')[];
  poorClass?: 1 | 2 | null;
  /** The date the row gives (认定日期). */
  from?: string;
  /** The date the lifting-out year implies (1 January), for a status that begins with it. */
  liftedFrom?: string;
}

export interface RosterRow {
  row: number;
  place: Place;
  householdNumber: string;
  /** undefined: the file says nothing (no column, or an empty cell), and nothing is changed. */
  address?: string;
  name: string;
  idNumber: string;
  sex: 'M' | 'F';
  birthDate: string;
  relation: Relation;
  phone?: string;
  status?: RowStatus;
}

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A code and a name from a cell that may hold either, or both ("141130101201 东村"). */
function codeAndName(text: string, digits: number[]): { code?: string; name?: string } {
  const m = /^([0-9]{6,15})\s*(.*)$/.exec(text);
  if (m && digits.includes(m[1]!.length)) return { code: m[1]!, ...(m[2] ? { name: m[2] } : {}) };
  return text ? { name: text } : {};
}

export function readRows(rows: Cell[][], layout: Layout, today: string): { rows: RosterRow[]; problems: Problem[]; read: number } {
  const problems: Problem[] = [];
  const out: RosterRow[] = [];
  const seenIds = new Map<string, number>();
  const packs = builtinPackIds();
  let read = 0;
  for (let r = layout.headingRow; r < rows.length; r++) {
    const cells = rows[r]!;
    if (cells.every((c) => c.text === '')) continue;
    read++;
    const rowNo = r + 1;
    const before = problems.length;
    const cell = (f: Field): Cell | undefined => {
      const i = layout.columns.get(f);
      return i === undefined ? undefined : (cells[i] ?? { text: '', number: false });
    };
    const text = (f: Field) => cell(f)?.text ?? '';
    const problem = (f: Field, message: string) => {
      const i = layout.columns.get(f);
      problems.push({ row: rowNo, column: i === undefined ? null : columnName(i), heading: i === undefined ? FIELD_INFO.get(f)!.label : (layout.described.find((d) => d.column === columnName(i))?.heading ?? ''), message });
    };
    const optional = <T>(f: Field, reader: (s: string, c: Cell) => Read<T>): T | undefined => {
      const c = cell(f);
      if (!c || c.text === '') return undefined;
      const v = reader(c.text, c);
      if (!v.ok) {
        problem(f, v.message);
        return undefined;
      }
      return v.value;
    };

    // Where: the village by its code or its name (the township helps to tell namesakes apart).
    const place: Place = {};
    const county = codeAndName(text('county'), [6]);
    const countyCode = text('countyCode') || county.code;
    if (countyCode) {
      if (/^[0-9]{6}$/.test(countyCode)) place.countyCode = countyCode;
      else problem(text('countyCode') ? 'countyCode' : 'county', `县代码应为 6 位数字，不是“${countyCode}”`);
    }
    if (county.name) place.county = county.name;
    if (text('packId')) {
      if (packs.includes(text('packId'))) place.packId = text('packId');
      else problem('packId', `未知政策包“${text('packId')}”，应为 ${packs.join('、')}`);
    }
    const township = codeAndName(text('township'), [9, 12]);
    const townshipCode = (text('townshipCode') || township.code)?.replace(/^([0-9]{9})000$/, '$1');
    if (townshipCode) {
      if (/^[0-9]{9}$/.test(townshipCode)) place.townshipCode = townshipCode;
      else problem(text('townshipCode') ? 'townshipCode' : 'township', `乡镇代码应为 9 位数字（或 12 位，末三位 000），不是“${townshipCode}”`);
    }
    if (township.name) place.township = township.name;
    const village = codeAndName(text('village'), [12]);
    const villageCode = text('villageCode') || village.code;
    if (villageCode) {
      if (!/^[0-9]{12}$/.test(villageCode)) problem(text('villageCode') ? 'villageCode' : 'village', `行政村代码应为 12 位数字，不是“${villageCode}”`);
      else if (place.townshipCode && !villageCode.startsWith(place.townshipCode)) problem(text('villageCode') ? 'villageCode' : 'village', `行政村代码 ${villageCode} 不在乡镇 ${place.townshipCode} 之下（前 9 位应相同）`);
      else place.villageCode = villageCode;
    }
    if (village.name) place.village = village.name;
    if (!place.villageCode && !place.village && !villageCode) problem(layout.columns.has('village') ? 'village' : 'villageCode', '请填写行政村（村名或 12 位村代码）');
    for (const [f, v] of [['village', place.village], ['township', place.township], ['county', place.county]] as const) {
      if (v !== undefined && (v.length > 50 || CONTROL.test(v))) problem(f, '名称太长（最多 50 个字）或含有不可见的控制字符');
    }

    // The household.
    const hn = cell('householdNumber')!;
    if (hn.text === '') problem('householdNumber', '请填写户编号：每个成员都要写明属于哪一户');
    else if (hn.number && (SCIENTIFIC.test(hn.text) || hn.text.replace(/\D/g, '').length > 15)) problem('householdNumber', `户编号被 Excel 存成了数字（${hn.text}），超过 15 位的数字后几位已丢失；请把这一列设置为“文本”格式后重新填写`);
    else if (!/^[0-9A-Za-z-]{1,32}$/.test(hn.text)) problem('householdNumber', `户编号应为 1 到 32 位数字或字母，不是“${hn.text}”`);
    let address: string | undefined;
    if (text('address')) {
      if (text('address').length > 200 || CONTROL.test(text('address'))) problem('address', '住址太长（最多 200 个字）或含有不可见的控制字符');
      else address = text('address');
    }

    // The member.
    const name = text('name');
    if (name === '') problem('name', '请填写姓名');
    else if (name.length > 50 || CONTROL.test(name)) problem('name', '姓名太长（最多 50 个字）或含有不可见的控制字符');
    const idCell = cell('idNumber')!;
    let id: { id: string; sex: 'M' | 'F'; birthDate: string } | null = null;
    if (idCell.number || SCIENTIFIC.test(idCell.text)) {
      problem('idNumber', `证件号码被 Excel 当成了数字（显示为 ${idCell.text}），最后几位已经丢失，无法恢复；请把这一列设置为“文本”格式，重新粘贴或从原系统重新导出后再导入`);
    } else {
      const c = checkIdNumber(idCell.text, today);
      if (!c.ok) problem('idNumber', ID_PROBLEM_MESSAGES[c.problem]['zh-CN']);
      else if (seenIds.has(c.id)) problem('idNumber', `证件号码与第 ${seenIds.get(c.id)} 行重复：同一个人只能有一行`);
      else {
        seenIds.set(c.id, rowNo);
        id = c;
      }
    }
    const sex = optional('sex', readSex);
    if (id && sex && crossCheckId(id.id, { sex }).length) problem('sex', ID_PROBLEM_MESSAGES['sex-mismatch']['zh-CN']);
    let relation: Relation | undefined;
    if (text('relation') === '') problem('relation', '请填写与户主关系（户主本人填“户主”）');
    else relation = optional('relation', readRelation);
    const phone = optional('phone', readPhone);

    // Poverty and assistance.
    const kind = optional('householdKind', readKind);
    const lifted = optional('lifted', readLifted);
    const year = optional('liftedYear', (s) => readYear(s));
    const poorClass = optional('poorClass', readPoorClass);
    const dibao = optional('dibao', readYesNo);
    const tekun = optional('tekun', readYesNo);
    const from = optional('statusFrom', (s, c) => readDate(s, c.number));
    if (from && from > today) problem('statusFrom', `认定日期 ${from} 在今天之后`);
    if (year && year > Number(today.slice(0, 4))) problem('liftedYear', `脱贫年度 ${year} 在今年之后`);
    let poverty = kind?.poverty;
    if (lifted === true && (poverty === undefined || poverty === 'poor')) poverty = 'lifted';
    if (lifted === false) {
      if (poverty === 'lifted') problem('lifted', '贫困户属性写的是脱贫户，脱贫属性却是未脱贫，请核对');
      else poverty ??= 'poor';
    }
    if (year !== undefined && lifted === undefined && (poverty === undefined || poverty === 'poor')) poverty = 'lifted';
    let assistance: StatusRecord['assistance'] | undefined = kind?.assistance;
    if (dibao && tekun) problem('tekun', '同一个人不能既是低保又是特困（特困供养人员不再计入低保），请核对');
    else if (dibao) assistance = 'dibao';
    else if (tekun) assistance = 'tekun';
    else if (dibao === false && tekun === false) assistance = null;
    else if (dibao === false && assistance === 'dibao') assistance = null;
    else if (tekun === false && assistance === 'tekun') assistance = null;
    const status: RowStatus = {};
    if (poverty !== undefined) status.poverty = poverty;
    if (assistance !== undefined) status.assistance = assistance;
    else if (dibao === false || tekun === false) status.not = [...(dibao === false ? ['dibao' as const] : []), ...(tekun === false ? ['tekun' as const] : [])];
    if (poorClass !== undefined) status.poorClass = poorClass;
    if (from !== undefined) status.from = from;
    if (year !== undefined && poverty === 'lifted') status.liftedFrom = `${year}-01-01`;

    if (problems.length > before || !id || !relation) continue;
    out.push({
      row: rowNo,
      place,
      householdNumber: hn.text,
      ...(address !== undefined ? { address } : {}),
      name,
      idNumber: id.id,
      sex: id.sex,
      birthDate: id.birthDate,
      relation,
      ...(phone !== undefined ? { phone } : {}),
      ...(Object.keys(status).length ? { status } : {}),
    });
  }
  if (read === 0) problems.push({ row: layout.headingRow + 1, column: null, message: '表头下面没有数据行：这张表是空的' });
  return { rows: out, problems, read };
}
