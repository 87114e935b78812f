/**
 * The columns of a roster, recognised by their Chinese headings and the common aliases of the
 * national poverty information system's exports and of the counties' own 台账; or, for any other
 * layout, by an explicit mapping of heading (or column letter) to field. A title row or two above
 * the headings is common and is skipped: the heading row is the first of the top rows that names
 * at least three fields.
 */
import { FIELD_INFO, FIELDS, type Field } from '../../model/exports/headings.ts';
import { columnName, type Cell } from './read.ts';
import type { Problem } from './types.ts';

// The fields, their headings and aliases are the model's (src/model/exports/headings.ts), shared
// with the exports of the county server and the tablet, so what is exported imports back.
export { FIELD_INFO, FIELDS, type Field, type FieldInfo } from '../../model/exports/headings.ts';

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
/** What a refused layout still tells: the heading row and its columns, once found, for a mapping step. */
export type PartialLayout = Pick<Layout, 'headingRow' | 'described'>;

export function layoutOf(rows: Cell[][], mapping: Record<string, string> = {}): { ok: true; layout: Layout } | { ok: false; problems: Problem[]; partial?: PartialLayout } {
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
  if (problems.length) return { ok: false, problems, partial: { headingRow: headingRow + 1, described } };
  return { ok: true, layout: { headingRow: headingRow + 1, columns, described } };
}
