/** What a roster import reports (docs/import.md): its problems by row and column, and its changes. */
import type { Encoding } from './read.ts';

/**
 * A problem of the file, in Chinese: the sheet's row (1-based, as Excel shows it) and column
 * (A, B, …), with the heading of that column; null where the problem is the whole file's (not a
 * spreadsheet) or a column that is missing altogether.
 */
export interface Problem {
  row: number | null;
  column: string | null;
  heading?: string;
  message: string;
}

/** A field as the report names it: its key, its Chinese name, and its values before and after. */
export interface FieldChange {
  field: string;
  label: string;
  from: unknown;
  to: unknown;
}

export interface Change {
  /** The row the change comes from (the first row of a household or a village). */
  row: number;
  entity: 'village' | 'household' | 'member' | 'status';
  op: 'create' | 'update';
  id: string;
  /** Whom or what it is about: 张建国, 户 0012 (东村), 东村. */
  label: string;
  fields: FieldChange[];
}

export interface Counts {
  created: number;
  updated: number;
}

export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  /** Whether the changes were written (never for a dry run, never when ok is false). */
  applied: boolean;
  file: { name: string; format: 'xlsx' | 'csv' | null; encoding: Encoding | null; sheet: string | null; size: number };
  /** The heading row (1-based), and how each column was understood. */
  headingRow: number | null;
  columns: { column: string; heading: string; field: string | null; label: string | null }[];
  /** Data rows read (blank rows are not counted). */
  rows: number;
  problems: Problem[];
  counts: { village: Counts; household: Counts; member: Counts & { unchanged: number }; status: Counts };
  /** Records written, or for a dry run that would be: 0 when the file matches the server. */
  changes: number;
  /** The changes one by one, the first MAX_LISTED of them (`listed` says how many are). */
  changeList: Change[];
  listed: number;
  /** What the report says in one line, in Chinese. */
  summary: string;
}

/** Changes listed one by one in a report; the counts cover them all. */
export const MAX_LISTED = 2_000;
/** Problems reported at most (a wholly wrong file would list one for every cell). */
export const MAX_PROBLEMS = 1_000;
