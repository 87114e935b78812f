/**
 * How deep a JSON text nests, counted without parsing it (brackets outside strings). Written by
 * hand: it is one pass over the text, and it must run before JSON.parse, which is the thing a very
 * deep body would overflow.
 */
export const MAX_JSON_DEPTH = 64;

export function jsonDepthWithin(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}
