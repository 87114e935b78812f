import { describe, expect, it } from 'vitest';
import { allMessages, messages, type Tree } from '../../src/client/i18n/messages.ts';

// The base files with every bundle, those of lazily loaded screens too.
const all = await allMessages();
const zhCN = all['zh-CN'];
const zhTW = all['zh-TW'];
const en = all.en;

function keys(o: Tree, p = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [p + k] : keys(v, `${p}${k}.`)));
}
function placeholders(s: string): string[] {
  return [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
}
function get(o: Tree, path: string): string | undefined {
  let cur: string | Tree | undefined = o;
  for (const part of path.split('.')) cur = typeof cur === 'object' ? cur[part] : undefined;
  return typeof cur === 'string' ? cur : undefined;
}

describe('every language is complete', () => {
  it('a bundle cannot define a key twice', async () => {
    const { BUNDLES } = await import('../../src/client/i18n/bundles.ts');
    BUNDLES.push({ 'zh-CN': { app: { name: 'x' } }, 'zh-TW': {}, en: {} });
    try {
      expect(() => messages('zh-CN')).toThrow(/app.name is defined twice/);
    } finally {
      BUNDLES.pop();
    }
  });
  it('a lazily loaded bundle cannot define a key of the others', async () => {
    const { BUNDLES, LAZY_BUNDLES } = await import('../../src/client/i18n/bundles.ts');
    const lazy = await Object.values(LAZY_BUNDLES)[0]!();
    BUNDLES.push(lazy);
    try {
      await expect(allMessages()).rejects.toThrow(/is defined twice/);
    } finally {
      BUNDLES.pop();
    }
  });
  const base = keys(zhCN as Tree);
  it('zh-TW has exactly the keys of zh-CN, with the same placeholders', () => {
    expect(keys(zhTW as Tree).sort()).toEqual([...base].sort());
    for (const k of base) expect(placeholders(get(zhTW as Tree, k)!), k).toEqual(placeholders(get(zhCN as Tree, k)!));
  });
  it('en has every key of zh-CN (plural forms as _one/_other), with the same placeholders', () => {
    for (const k of base) {
      const plain = get(en as Tree, k);
      const forms = plain !== undefined ? [plain] : [get(en as Tree, `${k}_one`), get(en as Tree, `${k}_other`)];
      expect(forms.every((f) => f !== undefined), `en is missing ${k}`).toBe(true);
      for (const f of forms) expect(placeholders(f!).filter((x) => x !== 'count'), k).toEqual(placeholders(get(zhCN as Tree, k)!).filter((x) => x !== 'count'));
    }
  });
  it('no screen text is left in the code outside the language files', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
    const offenders: string[] = [];
    for (const f of walk('src/client').filter((x) => x.endsWith('.tsx'))) {
      const src = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // JSX text containing Han characters outside {t(...)} (language names are the one exception)
      for (const m of src.matchAll(/>([^<>{}]*[\u4e00-\u9fff][^<>{}]*)</g)) offenders.push(`${f}: ${m[1]!.trim()}`);
    }
    expect(offenders).toEqual([]);
  });
});
