/**
 * The building blocks of the record schemas (valibot) that several records share — ids, text,
 * dates, money, revisions — and the first-problem check that names the offending field. The roster
 * (records.ts) and the care plan (careplan/records.ts) both build on these, so a date or an id is
 * checked the same way in every record.
 */
import * as v from 'valibot';
import { MAX_FEN } from '../rules/index.ts';
import { checkIdNumber } from './idcard.ts';

/** Ids are ULIDs made on the device that created the record. */
export const Id = v.pipe(v.string('must be text'), v.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id made by the app (26 letters and digits)'));

/** No control characters (NUL and the like break storage and display); bounded length. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
export const text = (max: number, min = 0) =>
  v.pipe(
    v.string('must be text'),
    v.maxLength(max, `at most ${max} characters`),
    v.minLength(min, min === 1 ? 'is required' : `at least ${min} characters`),
    v.check((s) => !CONTROL.test(s), 'contains a control character'),
  );

function isRealDate(s: string): boolean {
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  const days = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return m >= 1 && m <= 12 && d >= 1 && d <= days;
}

/** An ISO local date (yyyy-mm-dd) that is a real calendar day. */
export const IsoDate = v.pipe(
  v.string('must be a date'),
  v.regex(/^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$/, 'must be a date as yyyy-mm-dd'),
  v.check(isRealDate, 'is no calendar day'),
);

/** An ISO instant as `Date.prototype.toISOString` writes it. */
export const IsoInstant = v.pipe(
  v.string('must be a time'),
  v.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$/, 'must be a time as yyyy-mm-ddThh:mm:ss.sssZ'),
);

/** Money in integer fen. */
export const Fen = v.pipe(v.number('must be an amount in fen'), v.integer('must be whole fen'), v.minValue(0, 'cannot be negative'), v.maxValue(MAX_FEN, 'is too large'));

export const Rev = v.pipe(v.number('must be a revision number'), v.integer('must be a whole number'), v.minValue(0, 'cannot be negative'));

/** Digits as kept after the phone field's check (mobile or landline), with an optional dash. */
export const Phone = v.pipe(v.string('must be a phone number'), v.regex(/^[0-9][0-9-]{4,19}$/, 'must be a phone number of digits'));

export const IdNumber = v.pipe(
  v.string('must be an ID number'),
  v.check((s) => checkIdNumber(s, '9999-12-31').ok && s === s.toUpperCase() && !/\s/.test(s), 'must be an 18-character resident ID number with a valid check digit'),
);

export const AreaCode = (digits: number) => v.pipe(v.string(), v.regex(new RegExp(`^[0-9]{${digits}}$`), `must be a ${digits}-digit code`));

export const PackId = v.pipe(v.string('must be a policy pack id'), v.regex(/^CN-[0-9]{6}-[0-9]{4}$/, 'must be a policy pack id such as CN-140000-2017'));

// ---------------------------------------------------------------------------------------------
// Checking

export interface RecordProblem {
  /** Dotted path of the offending field, from the record (`insured.year`), or '' for the whole record. */
  path: string;
  message: string;
}

function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? []).map((p) => String(p.key)).join('.');
}

/** The first problem of a value against a schema, or null when it is valid. */
export function firstProblem(schema: v.GenericSchema, value: unknown): RecordProblem | null {
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (r.success) return null;
  const issue = r.issues[0]!;
  const path = pathOf(issue);
  const message =
    issue.expected === 'never' ? 'is not a field of this record' : issue.received === 'undefined' && path ? 'is required' : issue.expected === 'Object' ? 'must be an object' : issue.message;
  return { path, message };
}
