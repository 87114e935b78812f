import i18next from 'i18next';
import { currentLang, zhText } from '../i18n/index.ts';

/**
 * A county server's refusal in the user's language. The server speaks in codes and field paths; its
 * message text is for logs and tools, sometimes Chinese with an English gloss ("不在您负责的村庄范围内
 * (outside your villages)"), sometimes English only. The screen never shows raw English on a Chinese
 * page: Chinese text is taken as it is (in Traditional characters on 繁體中文 screens), and an
 * English-only message is replaced by the words for its code, naming the field when there is one.
 */
const HAN = /\p{Script=Han}/u;

export function refusalWords(status: number, code: string, message: string, path?: string): string {
  const lang = currentLang();
  const gloss = /^(.*\p{Script=Han}.*?)\s*\(([^()]*)\)\s*$/u.exec(message);
  if (lang === 'en') return gloss ? gloss[2]! : message;
  if (gloss) return zhText(gloss[1]!);
  if (HAN.test(message)) return zhText(message);
  const t = i18next.t.bind(i18next);
  const last = path?.split('.').pop() ?? '';
  const field = last && i18next.exists(`sync.fields.${last}`) ? t(`sync.fields.${last}`) : '';
  const key = i18next.exists(`apiError.${code}`) ? `apiError.${code}` : 'apiError.other';
  const words = t(key, { status, code });
  return field ? t('apiError.withField', { field, words }) : words;
}
