/** Each language's messages: the base file with every feature bundle merged in (pure, for tests too). */
import { BUNDLES, LAZY_BUNDLES, type Bundle } from './bundles.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';
import { zhTW } from './zh-TW.ts';

export type Tree = { [k: string]: string | Tree };
const BASE = { 'zh-CN': zhCN, 'zh-TW': zhTW, en } as const;
export type MessageLang = keyof typeof BASE;

function merge(into: Tree, from: Tree, path: string): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (typeof v === 'object' && typeof cur === 'object') merge(cur, v, `${path}${k}.`);
    else if (cur !== undefined) throw new Error(`message ${path}${k} is defined twice`);
    else into[k] = v;
  }
}

export function messages(lang: MessageLang, extra: readonly Bundle[] = []): Tree {
  const out = structuredClone(BASE[lang]) as unknown as Tree;
  for (const b of [...BUNDLES, ...extra]) merge(out, b[lang] as Tree, '');
  return out;
}

/** Every language's messages with the lazily loaded bundles too (for tests: completeness, no key twice). */
export async function allMessages(): Promise<Record<MessageLang, Tree>> {
  const lazy = await Promise.all(Object.values(LAZY_BUNDLES).map((load) => load()));
  return { 'zh-CN': messages('zh-CN', lazy), 'zh-TW': messages('zh-TW', lazy), en: messages('en', lazy) };
}
