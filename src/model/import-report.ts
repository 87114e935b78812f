/**
 * What the county server answers a roster import with (POST /api/admin/import, docs/import.md),
 * and its import history (GET /api/admin/imports): one schema, which the server's report type is
 * and the browser's import screen checks what it receives against. A problem names its row and
 * column (as Excel shows them) in Chinese; a change names its record and its fields before/after.
 */
import * as v from 'valibot';
import { IsoInstant, text } from './record-parts.ts';

const Count = v.pipe(v.number('must be a count'), v.integer('must be a whole number'), v.minValue(0, 'cannot be negative'));
const Row = v.pipe(v.number('must be a row number'), v.integer('must be a whole number'), v.minValue(1, 'rows count from 1'));
const Column = v.pipe(v.string('must be a column letter'), v.regex(/^[A-Z]{1,3}$/, 'must be a column letter such as A or AB'));

export const ENCODINGS = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'gb18030'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export const ProblemSchema = v.strictObject({
  /** The sheet's row (1-based); null where the problem is the whole file's or a column's. */
  row: v.nullable(Row),
  column: v.nullable(Column),
  heading: v.optional(text(200)),
  message: text(2_000, 1),
});
export type Problem = v.InferOutput<typeof ProblemSchema>;

export const FieldChangeSchema = v.strictObject({ field: text(40, 1), label: text(40), from: v.unknown(), to: v.unknown() });
export type FieldChange = v.InferOutput<typeof FieldChangeSchema>;

export const ChangeSchema = v.strictObject({
  /** The row the change comes from (the first row of a household or a village). */
  row: Row,
  entity: v.picklist(['village', 'household', 'member', 'status'], 'must be a kind of roster record'),
  op: v.picklist(['create', 'update'], 'must be create or update'),
  id: text(40, 1),
  /** Whom or what it is about: 张建国, 户 0012 (东村), 东村. */
  label: text(200),
  fields: v.array(FieldChangeSchema, 'must be a list'),
});
export type Change = v.InferOutput<typeof ChangeSchema>;

const CountsSchema = v.strictObject({ created: Count, updated: Count });
export type Counts = v.InferOutput<typeof CountsSchema>;

export const ColumnSchema = v.strictObject({ column: Column, heading: text(200), field: v.nullable(text(40)), label: v.nullable(text(40)) });

export const ImportReportSchema = v.strictObject({
  ok: v.boolean(),
  dryRun: v.boolean(),
  /** Whether the changes were written (never for a dry run, never when ok is false). */
  applied: v.boolean(),
  file: v.strictObject({
    name: text(200),
    format: v.nullable(v.picklist(['xlsx', 'csv'], 'must be xlsx or csv')),
    encoding: v.nullable(v.picklist(ENCODINGS, 'must be a known text encoding')),
    sheet: v.nullable(text(200)),
    size: Count,
  }),
  /** The heading row (1-based), and how each column was understood. */
  headingRow: v.nullable(Row),
  columns: v.array(ColumnSchema, 'must be a list'),
  /** Data rows read (blank rows are not counted). */
  rows: Count,
  problems: v.array(ProblemSchema, 'must be a list'),
  counts: v.strictObject({ village: CountsSchema, household: CountsSchema, member: v.strictObject({ created: Count, updated: Count, unchanged: Count }), status: CountsSchema }),
  /** Records written, or for a dry run that would be: 0 when the file matches the server. */
  changes: Count,
  /** The changes one by one, the first MAX_LISTED of them (`listed` says how many are). */
  changeList: v.array(ChangeSchema, 'must be a list'),
  listed: Count,
  /** What the report says in one line, in Chinese. */
  summary: text(2_000),
});
export type ImportReport = v.InferOutput<typeof ImportReportSchema>;

/** Changes listed one by one in a report; the counts cover them all. */
export const MAX_LISTED = 2_000;
/** Problems reported at most (a wholly wrong file would list one for every cell). */
export const MAX_PROBLEMS = 1_000;

export const ImportEntrySchema = v.strictObject({
  id: text(40, 1),
  at: IsoInstant,
  username: text(100),
  role: text(40),
  fileName: text(200),
  format: text(10),
  encoding: v.nullable(text(20)),
  dryRun: v.boolean(),
  ok: v.boolean(),
  rows: Count,
  changes: Count,
  counties: v.array(text(6)),
  report: ImportReportSchema,
});
export type ImportEntry = v.InferOutput<typeof ImportEntrySchema>;

export const ImportHistorySchema = v.strictObject({ imports: v.array(ImportEntrySchema, 'must be a list') });
export type ImportHistory = v.InferOutput<typeof ImportHistorySchema>;
