/**
 * Languages: Simplified Chinese first, Traditional Chinese and English complete. The choice is
 * remembered on the device; numbers, dates and yuan go through Intl.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Bundle } from './bundles.ts';
import { messages } from './messages.ts';
import { loadTraditional, toTraditional } from './traditional.ts';

export const LANGS = ['zh-CN', 'zh-TW', 'en'] as const;
export type AppLang = (typeof LANGS)[number];
const KEY = 'cunyi.lang';

export function savedLang(): AppLang {
  try {
    const v = localStorage.getItem(KEY);
    if (v && (LANGS as readonly string[]).includes(v)) return v as AppLang;
  } catch {
    /* storage unavailable: default */
  }
  return 'zh-CN';
}

export function setLang(lang: AppLang): void {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* not remembered, still switched */
  }
  // Pack text is converted to Traditional at display: switch once the converter is here.
  const ready = lang === 'zh-TW' ? loadTraditional().catch(() => undefined) : Promise.resolve();
  void ready.then(() => i18next.changeLanguage(lang));
  document.documentElement.lang = lang;
}

/** Ready to render in the saved language (zh-TW waits for its converter, offline from the cache). */
export function i18nReady(): Promise<void> {
  return savedLang() === 'zh-TW' ? loadTraditional().catch(() => undefined) : Promise.resolve();
}

type PackText = { 'zh-CN': string; en: string };

/**
 * Text that comes in Simplified Chinese and English only (packs, the engine's explanations, stage and
 * hospital names): English for English, Traditional characters for 繁體中文.
 */
export function packText(x: PackText, lang?: AppLang): string;
export function packText(x: PackText | undefined, lang?: AppLang): string | undefined;
export function packText(x: PackText | undefined, lang: AppLang = currentLang()): string | undefined {
  if (!x) return undefined;
  return lang === 'en' ? x.en : lang === 'zh-TW' ? toTraditional(x['zh-CN']) : x['zh-CN'];
}

/** A Simplified string (from the engine or the server) in the current script. */
export function zhText(s: string, lang: AppLang = currentLang()): string {
  return lang === 'zh-TW' ? toTraditional(s) : s;
}

export function initI18n(): typeof i18next {
  const lng = savedLang();
  void i18next.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: messages('zh-CN') }, 'zh-TW': { translation: messages('zh-TW') }, en: { translation: messages('en') } },
    lng,
    fallbackLng: 'zh-CN',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lng;
  return i18next;
}

/**
 * Adds the words of a screen that loaded lazily (bundles.ts LAZY_BUNDLES), in every language; a
 * chunk calls it once as it loads, before its first render.
 */
export function addBundle(b: Bundle): void {
  // deep, without overwriting: a second call (a chunk evaluated again) changes nothing
  for (const lang of LANGS) i18next.addResourceBundle(lang, 'translation', b[lang], true, false);
}

export function currentLang(): AppLang {
  const l = i18next.language;
  return (LANGS as readonly string[]).includes(l) ? (l as AppLang) : 'zh-CN';
}

/** ¥1,234.50 in the current language. */
export function yuan(fen: number, lang: AppLang = currentLang()): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2 }).format(fen / 100);
}

export function num(n: number, lang: AppLang = currentLang()): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** An ISO local date in the current language, without any time-zone shift. */
export function date(iso: string | null | undefined, lang: AppLang = currentLang()): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y!, m! - 1, d!));
}

export function bytes(n: number, lang: AppLang = currentLang()): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v)} ${units[i]}`;
}

/** An instant's local date as ISO (the tablet's day, not UTC's). */
export function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Today's local date as ISO. */
export function today(): string {
  return localDate(new Date());
}
