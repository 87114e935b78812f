/**
 * Which of the two diseases (两病) an enrolment is for. Its own module, without the schemas and
 * rules, so that a screen that only asks this (the member page) stays small.
 */
import type { Enrolment } from '../roster.ts';
import type { Disease } from './records.ts';

/** The disease of a 两病 enrolment: a two-diseases entry, or ICD-10 I10–I15 / E11 in any category. */
export function enrolmentDisease(e: Pick<Enrolment, 'icd' | 'category'>): Disease | null {
  const c = e.icd.toUpperCase();
  if (c.length >= 3 && c.charCodeAt(0) === 73 /* I */ && c[1] === '1' && c[2]! >= '0' && c[2]! <= '5') return 'hypertension';
  if (c.startsWith('E11')) return 'diabetes2';
  return null;
}

