import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/client/i18n/messages.ts';
import { loadTraditional } from '../../src/client/i18n/traditional.ts';
import { refusalWords } from '../../src/client/sync/error-words.ts';

beforeAll(async () => {
  await i18next.init({ resources: { 'zh-CN': { translation: messages('zh-CN') }, 'zh-TW': { translation: messages('zh-TW') }, en: { translation: messages('en') } }, lng: 'zh-CN', interpolation: { escapeValue: false } });
  await loadTraditional();
});

describe("a county server's refusal in the user's language", () => {
  it('Chinese pages never show the English-only text: the code speaks, naming the field', async () => {
    await i18next.changeLanguage('zh-CN');
    expect(refusalWords(400, 'invalid', 'total must be fen', 'claim.total')).toBe('总费用：内容不符合要求，请检查后再试');
    expect(refusalWords(400, 'invalid', 'amount is yuan as text, e.g. "5000.00"', 'amount')).toBe('内容不符合要求，请检查后再试');
    expect(refusalWords(404, 'not-found', 'no record "01ABC"')).toBe('县里找不到这条记录（可能已被删除，或不在您负责的范围内）');
    expect(refusalWords(418, 'teapot', 'I am a teapot')).toContain('teapot');
    expect(refusalWords(418, 'teapot', 'I am a teapot')).not.toContain('I am');
  });
  it('Chinese text with an English gloss: the Chinese, in Traditional characters on 繁體中文', async () => {
    await i18next.changeLanguage('zh-CN');
    expect(refusalWords(403, 'forbidden', '不在您负责的村庄范围内 (outside your villages)')).toBe('不在您负责的村庄范围内');
    await i18next.changeLanguage('zh-TW');
    expect(refusalWords(403, 'forbidden', '不在您负责的村庄范围内 (outside your villages)')).toBe('不在您負責的村莊範圍內');
  });
  it('English pages take the gloss, or the message as it is', async () => {
    await i18next.changeLanguage('en');
    expect(refusalWords(403, 'forbidden', '不在您负责的村庄范围内 (outside your villages)')).toBe('outside your villages');
    expect(refusalWords(404, 'not-found', 'no record "01ABC"')).toBe('no record "01ABC"');
  });
});
