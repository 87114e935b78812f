/**
 * Money inside the engine is an integer number of fen (0.01 yuan). Ratios are integers in
 * basis points of a unit (1/10000: 80% = 8000), so an amount times a ratio is an exact integer
 * in "fen × 1/10000" units, rounded half-up to the fen exactly once where a layer is computed.
 *
 * Limits keep every intermediate product an exact JavaScript integer: an amount is at most
 * MAX_FEN (99,999,999.99 yuan) and a ratio at most RATIO_ONE, so fen × ratio < 2^53.
 */

export const RATIO_ONE = 10_000;
export const MAX_FEN = 9_999_999_999;

/** Half-up rounding of a non-negative value in fen × 1/10000 units back to fen. */
export function roundFen(scaled: number): number {
  return Math.floor((scaled + 5_000) / 10_000);
}

/** amount (fen) × ratio (basis points), rounded half-up to the fen. */
export function mulRatio(fen: number, ratio: number): number {
  return Math.floor((fen * ratio + 5_000) / 10_000);
}

const AMOUNT_RE = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;

export type AmountProblem = 'type' | 'format' | 'decimals' | 'negative' | 'fullwidth' | 'not-finite' | 'too-large';

/**
 * Parses an amount in yuan given as a string ("1234.5", "1234.50") or a number (1234.5) into fen.
 * Returns a problem code instead of throwing so that callers can name the field.
 */
export function parseAmount(input: unknown): { fen: number } | { problem: AmountProblem } {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { problem: 'not-finite' };
    if (input < 0) return { problem: 'negative' };
    // A JS number's shortest round-trip form is its written decimal; more than two decimals is refused.
    text = String(input);
    if (/e/i.test(text)) return { problem: input >= 1e21 ? 'too-large' : 'decimals' };
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return { problem: 'type' };
  }
  if (/[０-９．－]/.test(text)) return { problem: 'fullwidth' };
  if (/^-/.test(text)) return { problem: /^-0*(\.0*)?$/.test(text) ? 'format' : 'negative' };
  if (/^(NaN|[+-]?Infinity)$/i.test(text)) return { problem: 'not-finite' };
  const m = AMOUNT_RE.exec(text);
  if (!m) {
    if (/^[0-9]+\.[0-9]{3,}$/.test(text)) return { problem: 'decimals' };
    return { problem: 'format' };
  }
  const intPart = m[1]!;
  const frac = (m[2] ?? '').slice(1).padEnd(2, '0');
  if (intPart.length > 8) return { problem: 'too-large' };
  const fen = Number(intPart) * 100 + Number(frac);
  if (fen > MAX_FEN) return { problem: 'too-large' };
  return { fen };
}

/** "12250.00": the plain form of the settle command's output. */
export function formatFen(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(fen);
  const yuan = Math.floor(a / 100);
  const f = a - yuan * 100;
  return (neg ? '-' : '') + yuan + '.' + (f < 10 ? '0' : '') + f;
}

/** "12,250.00": the grouped form used in explanations. */
export function formatFenGrouped(fen: number): string {
  const plain = formatFen(fen);
  const [i, d] = plain.split('.');
  return i!.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + d;
}

const RATIO_RE = /^(0|1)(\.[0-9]{1,4})?$/;

/** Parses a ratio written as a decimal string ("0.85", "0.075", "1") into basis points. */
export function parseRatio(input: unknown): number | null {
  if (typeof input !== 'string') return null;
  const m = RATIO_RE.exec(input);
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = Number((m[2] ?? '').slice(1).padEnd(4, '0'));
  const bp = whole * RATIO_ONE + frac;
  return bp <= RATIO_ONE ? bp : null;
}

/** 8000 → "80%", 8550 → "85.5%". */
export function formatRatio(bp: number): string {
  const pct = bp / 100;
  return (Number.isInteger(pct) ? String(pct) : pct.toFixed(2).replace(/0+$/, '')) + '%';
}
