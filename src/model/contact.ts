/** Phone numbers as a village doctor writes them: mainland mobile (11 digits) or landline. */
export type PhoneProblem = 'fullwidth' | 'format';

export function checkPhone(input: string): { ok: true; phone: string } | { ok: false; problem: PhoneProblem } {
  const s = input.trim();
  if (/[０-９]/.test(s)) return { ok: false, problem: 'fullwidth' };
  const digits = s.replace(/[\s-]/g, '');
  if (/^1[3-9][0-9]{9}$/.test(digits)) return { ok: true, phone: digits };
  if (/^0[0-9]{2,3}[0-9]{7,8}$/.test(digits)) return { ok: true, phone: digits };
  return { ok: false, problem: 'format' };
}
