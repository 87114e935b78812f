/**
 * The columns of a roster, recognised by their Chinese headings and the common aliases of the
 * national poverty information system's exports and of the counties' own 台账; or, for any other
 * layout, by an explicit mapping of heading (or column letter) to field. A title row or two above
 * the headings is common and is skipped: the heading row is the first of the top rows that names
 * at least three fields.
 */
import { columnName, type Cell } from './read.ts';
import type { Problem } from './types.ts';

export type Field =
  | 'countyCode'
  | 'county'
  | 'packId'
  | 'townshipCode'
  | 'township'
  | 'villageCode'
  | 'village'
  | 'householdNumber'
  | 'address'
  | 'name'
  | 'sex'
  | 'idNumber'
  | 'relation'
  | 'phone'
  | 'householdKind'
  | 'lifted'
  | 'liftedYear'
  | 'poorClass'
  | 'dibao'
  | 'tekun'
  | 'statusFrom';

export interface FieldInfo {
  field: Field;
  /** The heading the export and the template write. */
  label: string;
  /** Other headings taken for it (compared after normalising: no spaces, no *, half-width brackets). */
  aliases: string[];
  required?: boolean;
}

export const FIELDS: readonly FieldInfo[] = [
  { field: 'countyCode', label: '县代码', aliases: ['县(区)代码', '县区代码', '县级代码', '县编码', 'county_code'] },
  { field: 'county', label: '县', aliases: ['县(区)', '县区', '县名称', '所属县', '县(市、区)', '县(市区)', 'county_name'] },
  { field: 'packId', label: '政策包', aliases: ['政策包编号', 'pack_id'] },
  { field: 'townshipCode', label: '乡镇代码', aliases: ['乡镇编码', '乡镇区划代码', '乡(镇)代码', 'township_code'] },
  { field: 'township', label: '乡镇', aliases: ['乡镇名称', '乡(镇)', '乡镇(街道)', '所属乡镇', '乡', '镇', 'township_name'] },
  { field: 'villageCode', label: '行政村代码', aliases: ['村代码', '村编码', '行政村编码', '行政村区划代码', '村(社区)代码', 'village_code'] },
  { field: 'village', label: '行政村', aliases: ['村', '村名', '村名称', '行政村名称', '所属行政村', '村(社区)', '所在村', 'village_name'], required: true },
  { field: 'householdNumber', label: '户编号', aliases: ['户编码', '户号', '家庭编号', '贫困户编号', '户主编号', 'household_number'], required: true },
  { field: 'address', label: '住址', aliases: ['家庭住址', '家庭地址', '地址', '详细地址', '居住地址', 'address'] },
  { field: 'name', label: '姓名', aliases: ['成员姓名', '人员姓名', '家庭成员姓名', 'name'], required: true },
  { field: 'sex', label: '性别', aliases: ['sex'] },
  { field: 'idNumber', label: '证件号码', aliases: ['身份证号', '身份证号码', '身份证', '公民身份号码', '证件号', '身份证件号码', 'id_number'], required: true },
  { field: 'relation', label: '与户主关系', aliases: ['与户主的关系', '家庭关系', '关系', 'relation'], required: true },
  { field: 'phone', label: '联系电话', aliases: ['电话', '电话号码', '手机', '手机号', '手机号码', '联系方式', 'phone'] },
  { field: 'householdKind', label: '贫困户属性', aliases: ['贫困户类型', '户类型', '贫困属性', '户属性', '人员属性', '贫困人口属性'] },
  { field: 'lifted', label: '脱贫属性', aliases: ['脱贫状态', '是否脱贫', '脱贫标志'] },
  { field: 'liftedYear', label: '脱贫年度', aliases: ['脱贫年份', '脱贫时间', '计划脱贫年度', '脱贫(返贫)年度'] },
  { field: 'poorClass', label: '贫困类别', aliases: ['类别', 'poor_class'] },
  { field: 'dibao', label: '是否低保', aliases: ['低保', '是否低保户', '是否享受低保', '低保对象'] },
  { field: 'tekun', label: '是否特困', aliases: ['特困', '是否特困供养', '是否特困人员', '是否五保', '特困供养'] },
  { field: 'statusFrom', label: '认定日期', aliases: ['身份认定日期', '识别日期', '纳入日期', '起始日期', 'poverty_from'] },
];

export const FIELD_INFO = new Map(FIELDS.map((f) => [f.field, f]));

/** A heading as compared: no spaces, no required-markers, half-width brackets, Latin in lower case. */
export function normalizeHeading(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\s\u3000*＊:：]/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .toLowerCase();
}

const BY_HEADING = new Map<string, Field>();
for (const f of FIELDS) for (const h of [f.label, ...f.aliases, f.field]) BY_HEADING.set(normalizeHeading(h), f.field);

/** The field a heading names, or null. */
export function fieldOfHeading(heading: string): Field | null {
  return BY_HEADING.get(normalizeHeading(heading)) ?? null;
}

/** How the columns were understood: the field of each column index. */
export interface Layout {
  headingRow: number;
  /** 0-based column of each field found. */
  columns: Map<Field, number>;
  /** Each column with its heading and field (null: not imported). */
  described: { column: string; heading: string; field: Field | null; label: string | null }[];
}

/** Top rows searched for the heading row. */
const HEADING_SEARCH = 20;

/**
 * Finds the heading row and maps its columns to fields. `mapping` takes a heading (as in the file)
 * or a column letter to a field (its key or its Chinese name), or to '' for a column to leave out;
 * it is applied over the headings recognised. Problems: no heading row, an unknown field in the
 * mapping, two columns for one field, a required field without a column.
 */
export function layoutOf(rows: Cell[][], mapping: Record<string, string> = {}): { ok: true; layout: Layout } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const mapped = new Map<string, Field | ''>();
  for (const [k, v] of Object.entries(mapping)) {
    const target = v.trim() === '' ? '' : (fieldOfHeading(v) ?? (FIELD_INFO.has(v as Field) ? (v as Field) : null));
    if (target === null) problems.push({ row: null, column: null, message: `对应关系里的“${v}”不是可导入的项目；可用：${FIELDS.map((f) => f.label).join('、')}` });
    else mapped.set(/^[A-Z]{1,3}$/.test(k) ? k : normalizeHeading(k), target);
  }
  if (problems.length) return { ok: false, problems };

  const fieldAt = (cells: Cell[], i: number): Field | '' | null => {
    const heading = cells[i]?.text ?? '';
    const byLetter = mapped.get(columnName(i));
    if (byLetter !== undefined) return byLetter;
    if (heading === '') return null;
    const byHeading = mapped.get(normalizeHeading(heading));
    if (byHeading !== undefined) return byHeading;
    return fieldOfHeading(heading);
  };
  let headingRow = -1;
  for (let r = 0; r < Math.min(rows.length, HEADING_SEARCH) && headingRow < 0; r++) {
    const cells = rows[r]!;
    const found = new Set(cells.map((_, i) => fieldAt(cells, i)).filter((f): f is Field => !!f));
    if (found.size >= 3) headingRow = r;
  }
  if (headingRow < 0) {
    return {
      ok: false,
      problems: [{ row: 1, column: null, message: `找不到表头：前 ${HEADING_SEARCH} 行里没有一行写着 户编号、姓名、证件号码、与户主关系、行政村 等列名；请检查表头，或说明每一列对应什么` }],
    };
  }
  const cells = rows[headingRow]!;
  const columns = new Map<Field, number>();
  const described: Layout['described'] = [];
  for (let i = 0; i < cells.length; i++) {
    const heading = cells[i]?.text ?? '';
    const f = fieldAt(cells, i);
    if (heading === '' && !f) continue;
    described.push({ column: columnName(i), heading, field: f || null, label: f ? FIELD_INFO.get(f)!.label : null });
    if (!f) continue;
    const before = columns.get(f);
    if (before !== undefined) {
      problems.push({
        row: headingRow + 1,
        column: columnName(i),
        heading,
        message: `“${heading}”列和 ${columnName(before)} 列“${cells[before]?.text ?? ''}”都对应“${FIELD_INFO.get(f)!.label}”，只能有一列；请删掉一列，或说明这一列不导入`,
      });
    } else columns.set(f, i);
  }
  for (const f of FIELDS) {
    if (!f.required) continue;
    if (f.field === 'village' && columns.has('villageCode')) continue;
    if (!columns.has(f.field)) {
      problems.push({ row: headingRow + 1, column: null, message: `缺少“${f.label}”列${f.field === 'village' ? '（或“行政村代码”列）' : ''}；这些列名也能认出：${f.aliases.filter((a) => !/^[a-z_]+$/.test(a)).join('、')}` });
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, layout: { headingRow: headingRow + 1, columns, described } };
}
