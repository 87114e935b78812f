/**
 * Traditional characters for text that arrives in Simplified only: policy packs, the rules engine's
 * explanations, hospital and stage names from the packs. Converted at display with opencc-js, loaded
 * only when 繁體中文 is chosen (a chunk of its own; the other languages never fetch it).
 *
 * Character level plus Taiwan variants (OpenCC's STCharacters and TWVariants, about 12 KB gzipped)
 * rather than the full s2tw preset, whose phrase table is 1 MB (450 KB gzipped) and would ride in
 * every tablet's precache. The few one-to-many characters the packs use in phrases are fixed by the
 * short list below; names of people and places never pass through here.
 */
type Convert = (s: string) => string;
let convert: Convert | null = null;
let loading: Promise<void> | null = null;

// Phrases whose character-level reading is wrong in policy text (复 → 複, not 復, in these).
const PHRASES: [string, string][] = [
  ['复核', '複核'],
  ['复查', '複查'],
  ['复诊', '複診'],
  ['复印件', '影本'],
  ['复印', '影印'],
  ['重复', '重複'],
  ['复杂', '複雜'],
  ['台账', '臺賬'],
  ['发票', '發票'],
  ['理发', '理髮'],
];

export function loadTraditional(): Promise<void> {
  loading ??= Promise.all([import('opencc-js/core'), import('opencc-js/dict/STCharacters'), import('opencc-js/dict/TWVariants')]).then(([core, st, tw]) => {
    convert = core.ConverterFactory([PHRASES, st.default], [tw.default]);
  });
  return loading;
}

/** The text in Traditional characters once the converter is loaded; as it is before (or on failure). */
export function toTraditional(s: string): string {
  return convert ? convert(s) : s;
}

export function traditionalReady(): boolean {
  return convert !== null;
}
