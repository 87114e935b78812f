/**
 * The roster of an area as .xlsx, with the headings the import reads back (export → import gives
 * the same roster), and the import template. ID numbers, phone numbers, household numbers and codes
 * are text cells formatted as text (@), so Excel keeps every digit and shows no 1.41113E+17. The
 * sheet names the area, the date of the export and the policy pack with its version.
 */
import type { Kysely } from 'kysely';
import writeXlsxFile, { type Cell, type Row } from 'write-excel-file/node';
import { localToday } from '../../model/idcard.ts';
import type { Household, Member, StatusRecord, Village } from '../../model/roster.ts';
import { BUILTIN_PACK_JSON } from '../../rules/index.ts';
import { inJurisdiction, type Principal } from '../auth.ts';
import type { Tables } from '../db.ts';
import { FIELD_INFO, FIELDS, type Field } from './headings.ts';
import { POVERTY_LABEL, RELATION_LABEL } from './values.ts';

/** The columns of the export and the template, in order. */
export const EXPORT_FIELDS: readonly Field[] = [
  'countyCode', 'county', 'packId', 'townshipCode', 'township', 'villageCode', 'village', 'householdNumber', 'address',
  'name', 'sex', 'idNumber', 'relation', 'phone', 'householdKind', 'lifted', 'liftedYear', 'poorClass', 'dibao', 'tekun', 'statusFrom',
];
/** Columns whose digits must stay text. */
const TEXT_FIELDS = new Set<Field>(['countyCode', 'townshipCode', 'villageCode', 'householdNumber', 'idNumber', 'phone', 'statusFrom']);
const WIDTHS: Partial<Record<Field, number>> = { county: 10, packId: 16, townshipCode: 12, township: 10, villageCode: 15, village: 10, householdNumber: 14, address: 24, name: 10, idNumber: 21, relation: 10, phone: 14, householdKind: 14, statusFrom: 12 };

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const text = (value: string): Cell => ({ value, type: String, format: '@' });
const heading = (f: Field): Cell => ({ value: FIELD_INFO.get(f)!.label, type: String, fontWeight: 'bold' });

function packLine(packIds: Iterable<string>): string {
  const names = [...new Set(packIds)].sort().map((id) => {
    const p = BUILTIN_PACK_JSON.find((x) => x.id === id);
    return p ? `${id}（${p.name['zh-CN']} 版本 ${p.version}）` : id;
  });
  return names.length ? names.join('、') : '无';
}

export interface RosterExport {
  bytes: Buffer;
  fileName: string;
  villages: number;
  members: number;
}

/**
 * The roster of the user's area (or of `area`, a code prefix within it) as .xlsx: one row per
 * member, the household's head first, with the status in force now.
 */
export async function rosterXlsx(db: Kysely<Tables>, p: Pick<Principal, 'role' | 'areas'>, opts: { area?: string; now?: Date } = {}): Promise<RosterExport> {
  const now = opts.now ?? new Date();
  const date = localToday(now);
  const area = opts.area;
  const within = (code: string) => inJurisdiction(p, code) && (!area || code.startsWith(area));
  let q = db.selectFrom('records').select(['entity', 'data', 'village_code']).where('entity', 'in', ['village', 'household', 'member', 'status']).where('deleted', '=', 0);
  if (area) q = q.where('village_code', 'like', `${area}%`);
  const rows = (await q.execute()).filter((r) => within(r.village_code));
  const villages: Village[] = [];
  const households = new Map<string, Household[]>();
  const members = new Map<string, Member[]>();
  const latest = new Map<string, StatusRecord>();
  for (const r of rows) {
    const d = JSON.parse(r.data);
    if (r.entity === 'village') villages.push(d as Village);
    else if (r.entity === 'household') (households.get(d.villageId) ?? households.set(d.villageId, []).get(d.villageId)!).push(d as Household);
    else if (r.entity === 'member') (members.get(d.householdId) ?? members.set(d.householdId, []).get(d.householdId)!).push(d as Member);
    else {
      const s = d as StatusRecord;
      const held = latest.get(s.memberId);
      if (!held || s.from > held.from || (s.from === held.from && s.createdAt > held.createdAt)) latest.set(s.memberId, s);
    }
  }
  villages.sort((a, b) => a.code.localeCompare(b.code));
  const counties = [...new Set(villages.map((v) => v.countyName))];
  const townships = [...new Set(villages.map((v) => v.townshipName))];
  const areaName = area?.length === 12 && villages[0] ? `${villages[0].townshipName}${villages[0].name}` : area?.length === 9 && villages[0] ? `${villages[0].countyName}${villages[0].townshipName}` : counties.join('、') || '（无）';
  const areaCodes = area ? [area] : p.role === 'admin' ? ['全部'] : p.areas;
  const data: Row[] = [
    [{ value: `${areaName} 花名册`, type: String, fontWeight: 'bold', fontSize: 14 }],
    [`区域：${areaName}（${areaCodes.join('、')}；${townships.length} 个乡镇，${villages.length} 个行政村）`],
    [`导出日期：${date}　政策包：${packLine(villages.map((v) => v.packId))}`],
    [],
    EXPORT_FIELDS.map(heading),
  ];
  let count = 0;
  for (const v of villages) {
    const hs = (households.get(v.id) ?? []).sort((a, b) => a.number.localeCompare(b.number, 'zh-CN', { numeric: true }));
    for (const h of hs) {
      const ms = (members.get(h.id) ?? []).sort((a, b) => Number(b.id === h.headMemberId) - Number(a.id === h.headMemberId) || a.birthDate.localeCompare(b.birthDate) || a.idNumber.localeCompare(b.idNumber));
      for (const m of ms) {
        const s = latest.get(m.id);
        const cells: Record<Field, Cell> = {
          countyCode: text(v.countyCode),
          county: v.countyName,
          packId: v.packId,
          townshipCode: text(v.townshipCode),
          township: v.townshipName,
          villageCode: text(v.code),
          village: v.name,
          householdNumber: text(h.number),
          address: h.address,
          name: m.name,
          sex: m.sex === 'M' ? '男' : '女',
          idNumber: text(m.idNumber),
          relation: RELATION_LABEL[m.relation],
          phone: text(m.phone ?? ''),
          householdKind: s ? POVERTY_LABEL[s.poverty] : '',
          lifted: s?.poverty === 'lifted' ? '已脱贫' : s?.poverty === 'poor' ? '未脱贫' : '',
          liftedYear: s?.poverty === 'lifted' ? text(s.from.slice(0, 4)) : '',
          poorClass: s?.poorClass === 1 ? '一类' : s?.poorClass === 2 ? '二类' : '',
          dibao: s ? (s.assistance === 'dibao' ? '是' : '否') : '',
          tekun: s ? (s.assistance === 'tekun' ? '是' : '否') : '',
          statusFrom: text(s?.from ?? ''),
        };
        data.push(EXPORT_FIELDS.map((f) => cells[f]));
        count++;
      }
    }
  }
  const bytes = await writeXlsxFile(data, { sheet: '花名册', columns: EXPORT_FIELDS.map((f) => ({ width: WIDTHS[f] ?? 9 })), stickyRowsCount: 5 }).toBuffer();
  return { bytes, fileName: `花名册-${areaName}-${date}.xlsx`, villages: villages.length, members: count };
}

const VALUES: Partial<Record<Field, string>> = {
  countyCode: '6 位数字；新建行政村时需要（也可由行政村代码的前 6 位得出）',
  county: '县名；新建行政村时需要',
  packId: `新建行政村时需要：${BUILTIN_PACK_JSON.map((p) => p.id).join('、')}`,
  townshipCode: '9 位数字（或 12 位，末三位 000）',
  township: '乡镇名称；同名行政村靠它区分',
  villageCode: '12 位数字；有了它可以不填村名',
  village: '村名或 12 位行政村代码（必填其一）',
  householdNumber: '必填；同一村里一户一个编号；请设为文本格式',
  address: '选填；空着不会清掉服务器上的住址',
  name: '必填',
  sex: '男 或 女；选填，须与身份证号一致',
  idNumber: '必填；18 位，请把这一列设为“文本”格式，否则 Excel 会把它变成 1.41113E+17',
  relation: `必填：${Object.values(RELATION_LABEL).join('、')}，或 长子、之女、孙女、父亲 等；每户一个户主`,
  phone: '手机 11 位或带区号的座机；空着不会清掉服务器上的电话',
  householdKind: '一般贫困户、低保贫困户、特困供养贫困户、脱贫户、监测对象、非贫困户',
  lifted: '已脱贫 或 未脱贫',
  liftedYear: '四位年份，如 2019',
  poorClass: '一类 或 二类（政策要求时）',
  dibao: '是 或 否',
  tekun: '是 或 否',
  statusFrom: '身份起始日期，如 2016-01-01；不填则为导入当天',
};

/** The import template: the headings (ID and phone columns formatted as text) and a sheet of instructions. */
export async function templateXlsx(): Promise<Buffer> {
  const blank: Row = EXPORT_FIELDS.map((f) => (TEXT_FIELDS.has(f) ? text('') : null));
  const roster: Row[] = [EXPORT_FIELDS.map(heading), ...Array.from({ length: 500 }, () => blank)];
  const help: Row[] = [
    [{ value: '列名', type: String, fontWeight: 'bold' }, { value: '怎么填', type: String, fontWeight: 'bold' }, { value: '也认这些列名', type: String, fontWeight: 'bold' }],
    ...EXPORT_FIELDS.map((f) => {
      const info = FIELDS.find((x) => x.field === f)!;
      return [info.label + (info.required ? '（必填）' : ''), VALUES[f] ?? '', info.aliases.filter((a) => !/^[a-z_]+$/.test(a)).join('、')] as Row;
    }),
    [],
    ['一行一个人；同一户的人户编号相同。按证件号码找人、按行政村和户编号找户：再次导入同一份表不会重复，只改有变化的地方；表里没有的人不会被删除。'],
    ['可以先“预演”：只检查、列出将要做的改动，不写入。有任何问题都会按行、列指出，整份表都不导入。'],
  ];
  return writeXlsxFile(
    [
      { data: roster, sheet: '花名册', columns: EXPORT_FIELDS.map((f) => ({ width: WIDTHS[f] ?? 9 })), stickyRowsCount: 1 },
      { data: help, sheet: '填写说明', columns: [{ width: 16 }, { width: 60 }, { width: 40 }] },
    ],
    {},
  ).toBuffer();
}
