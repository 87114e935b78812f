/**
 * The roster (花名册) of an area, one row a member with the status in force, under the headings the
 * import reads (headings.ts), so an exported roster imports back as the same roster; and the
 * import template with a sheet on how to fill each column.
 */
import { BUILTIN_PACK_JSON } from '../../rules/index.ts';
import { fileName, heading, str, text, titleRows, type ExportArea, type SheetCell, type SheetRow, type Workbook } from './cells.ts';
import { FIELD_INFO, FIELDS, type Field } from './headings.ts';
import { POVERTY_LABEL, RELATION_LABEL, SEX_LABEL } from './labels.ts';
import { latestStatus, peopleOf, type RosterInput } from './people.ts';

/** The columns of the export and the template, in order. */
export const EXPORT_FIELDS: readonly Field[] = [
  'countyCode', 'county', 'packId', 'townshipCode', 'township', 'villageCode', 'village', 'householdNumber', 'address',
  'name', 'sex', 'idNumber', 'relation', 'phone', 'householdKind', 'lifted', 'liftedYear', 'poorClass', 'dibao', 'tekun', 'statusFrom',
];
/** Columns whose digits must stay text. */
export const TEXT_FIELDS: ReadonlySet<Field> = new Set<Field>(['countyCode', 'townshipCode', 'villageCode', 'householdNumber', 'idNumber', 'phone', 'statusFrom']);
const WIDTHS: Partial<Record<Field, number>> = { county: 10, packId: 16, townshipCode: 12, township: 10, villageCode: 15, village: 10, householdNumber: 14, address: 24, name: 10, idNumber: 21, relation: 10, phone: 14, householdKind: 14, statusFrom: 12 };
const widths = () => EXPORT_FIELDS.map((f) => WIDTHS[f] ?? 9);
const headings = (): SheetRow => EXPORT_FIELDS.map((f) => heading(FIELD_INFO.get(f)!.label));

/** Rows above the headings of the roster sheet (the import finds the heading row below them). */
export const ROSTER_TITLE_ROWS = 4;

/** The roster of these villages as of `date`: one row per member, the household's head first, with the latest status. */
export function rosterBook(input: RosterInput, area: ExportArea, date: string): Workbook {
  const latest = latestStatus(input.statuses);
  const rows: SheetRow[] = [...titleRows('花名册', area, date), headings()];
  const { people } = peopleOf(input);
  for (const { village: v, household: h, member: m } of people) {
    const s = latest.get(m.id);
    const cells: Record<Field, SheetCell | null> = {
      countyCode: text(v.countyCode),
      county: str(v.countyName),
      packId: str(v.packId),
      townshipCode: text(v.townshipCode),
      township: str(v.townshipName),
      villageCode: text(v.code),
      village: str(v.name),
      householdNumber: text(h.number),
      address: str(h.address),
      name: str(m.name),
      sex: str(SEX_LABEL[m.sex]),
      idNumber: text(m.idNumber),
      relation: str(RELATION_LABEL[m.relation]),
      phone: text(m.phone ?? ''),
      householdKind: str(s ? POVERTY_LABEL[s.poverty] : ''),
      lifted: str(s?.poverty === 'lifted' ? '已脱贫' : s?.poverty === 'poor' ? '未脱贫' : ''),
      liftedYear: s?.poverty === 'lifted' ? text(s.from.slice(0, 4)) : null,
      poorClass: str(s?.poorClass === 1 ? '一类' : s?.poorClass === 2 ? '二类' : ''),
      dibao: str(s ? (s.assistance === 'dibao' ? '是' : '否') : ''),
      tekun: str(s ? (s.assistance === 'tekun' ? '是' : '否') : ''),
      statusFrom: text(s?.from ?? ''),
    };
    rows.push(EXPORT_FIELDS.map((f) => cells[f]));
  }
  return { fileName: fileName('花名册', area, date), sheets: [{ name: '花名册', rows, widths: widths(), sticky: ROSTER_TITLE_ROWS + 1 }], rows: people.length };
}

const HOW: Partial<Record<Field, string>> = {
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

/** Empty rows of the template whose text columns are formatted as text. */
export const TEMPLATE_ROWS = 500;

/** The import template: the headings (ID and phone columns formatted as text) and a sheet of instructions. */
export function templateBook(): Workbook {
  const blank: SheetRow = EXPORT_FIELDS.map((f) => (TEXT_FIELDS.has(f) ? text('') : null));
  const help: SheetRow[] = [
    [heading('列名'), heading('怎么填'), heading('也认这些列名')],
    ...EXPORT_FIELDS.map((f) => {
      const info = FIELDS.find((x) => x.field === f)!;
      return [str(info.label + (info.required ? '（必填）' : '')), str(HOW[f]), str(info.aliases.filter((a) => !/^[a-z_]+$/.test(a)).join('、'))];
    }),
    [],
    [str('一行一个人；同一户的人户编号相同。按证件号码找人、按行政村和户编号找户：再次导入同一份表不会重复，只改有变化的地方；表里没有的人不会被删除。')],
    [str('可以先“预演”：只检查、列出将要做的改动，不写入。有任何问题都会按行、列指出，整份表都不导入。')],
  ];
  return {
    fileName: '花名册导入模板.xlsx',
    sheets: [
      { name: '花名册', rows: [headings(), ...Array.from({ length: TEMPLATE_ROWS }, () => blank)], widths: widths(), sticky: 1 },
      { name: '填写说明', rows: help, widths: [16, 60, 40], sticky: 0 },
    ],
    rows: 0,
  };
}
