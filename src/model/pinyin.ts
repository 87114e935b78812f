/**
 * Pinyin of a person's name for search ("zjg" or "zhangjianguo" finds 张建国).
 *
 * pinyin-pro (with its dictionary, a few hundred kB) is imported lazily, so the browser loads it only
 * when a name is saved. The first character is read as a surname (曾 zeng, 单 shan, 区 ou, 仇 qiu, 解
 * xie; 欧阳, 尉迟 as compound surnames). The result is toneless, lower case and without spaces; ü is
 * written v (吕 → lv), as pinyin keyboards take it. Latin letters and digits pass through lower-cased;
 * spaces and punctuation (the · of 买买提·艾力) are dropped. Initials are the first letter of each
 * syllable, and of each run of Latin letters or digits.
 */

type PinyinFn = typeof import('pinyin-pro').pinyin;

let loaded: Promise<PinyinFn> | null = null;

function load(): Promise<PinyinFn> {
  loaded ??= import('pinyin-pro').then((m) => m.pinyin);
  return loaded;
}

const TOKENS = /\p{Script=Han}+|[\p{Script=Latin}0-9]+/gu;

export async function namePinyin(name: string): Promise<{ pinyin: string; initials: string }> {
  const tokens = name.normalize('NFKC').match(TOKENS) ?? [];
  if (tokens.length === 0) return { pinyin: '', initials: '' };
  // Han runs are joined (so the surname stays at the head); Latin/digit runs keep a space between
  // them so that each stays a word of its own.
  let text = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    if (prev !== undefined && !isHan(prev) && !isHan(t)) text += ' ';
    text += t;
  }
  const pinyin = await load();
  const parts = pinyin(text, { surname: 'head', toneType: 'none', type: 'all', v: true, nonZh: 'consecutive' });
  let full = '';
  let initials = '';
  for (const p of parts) {
    if (p.isZh) {
      const py = p.pinyin.toLowerCase();
      full += py;
      initials += py.charAt(0);
    } else {
      for (const word of p.origin.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
        if (word === '') continue;
        full += word;
        initials += word.charAt(0);
      }
    }
  }
  return { pinyin: full, initials };
}

function isHan(token: string): boolean {
  return /^\p{Script=Han}/u.test(token);
}
