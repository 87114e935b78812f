/** Every parameter of every built-in pack is named in words, in every language (no internal keys). */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { assumptionWords, paramName } from '../../src/client/features/estimate/param-words.ts';
import { messages } from '../../src/client/i18n/messages.ts';
import { builtinPack, builtinPackIds } from '../../src/rules/index.ts';

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

async function tFor(lang: 'zh-CN' | 'zh-TW' | 'en') {
  const i = i18next.createInstance();
  await i.init({ lng: lang, resources: { [lang]: { translation: messages(lang) } }, interpolation: { escapeValue: false } });
  return i.t.bind(i) as (k: string, o?: Record<string, unknown>) => string;
}

describe('policy parameters in words', () => {
  for (const lang of ['zh-CN', 'zh-TW', 'en'] as const) {
    it(`names every parameter of every pack without its key (${lang})`, async () => {
      const t = await tFor(lang);
      const textLang = lang === 'en' ? 'en' : 'zh-CN';
      for (const id of builtinPackIds()) {
        const pack = builtinPack(id);
        for (const name of pack.params.keys()) {
          const words = assumptionWords(pack, name, textLang, t, yuan);
          // No key, no camelCase field, no "a|b" group, no raw JSON left.
          expect(words, `${id} ${name}`).not.toMatch(/[a-z][A-Z]|\||\{|estimateWords|\w+\.\w+[a-zA-Z]/);
          expect(paramName(pack, name, textLang, t).length, `${id} ${name}`).toBeGreaterThan(1);
        }
      }
    });
  }

  it('says what Guangdong assumed for the basic deductible, with the amounts per class', async () => {
    const t = await tFor('zh-CN');
    const pack = builtinPack('CN-440000-2018');
    const words = assumptionWords(pack, 'basic.deductible', 'zh-CN', t, yuan);
    expect(words).toMatch(/^.+起付线：.+，按 .*¥100\.00.*估算$/);
    expect(words).toContain(pack.classes.find((c) => c.id === 'township')!['zh-CN']);
    expect(assumptionWords(pack, 'assistance.dibao|registeredPoor.rate', 'zh-CN', t, yuan)).toMatch(/（低保对象或建档立卡贫困人口）救助比例：原文未列明，按 70% 估算$/);
    expect(assumptionWords(pack, 'basic.annualCap', 'zh-CN', t, yuan)).toMatch(/年度封顶线：原文未列明，不设封顶$/);
  });
});
