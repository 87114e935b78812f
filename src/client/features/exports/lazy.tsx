/**
 * The export screen loads when first opened: it, its words, the sheets' rules and write-excel-file
 * are a chunk of their own, outside the initial JavaScript budget.
 */
import { lazy, Suspense } from 'react';

const ExportsScreen = lazy(async () => {
  const [{ default: i18next }, { exportMessages }, page] = await Promise.all([import('i18next'), import('./messages.ts'), import('./ExportsPage.tsx'), import('./exports.css')]);
  // Deep, without overwriting: the words join those already loaded (i18n/bundles.ts LAZY_BUNDLES names them for the tests).
  for (const lang of ['zh-CN', 'zh-TW', 'en'] as const) i18next.addResourceBundle(lang, 'translation', exportMessages[lang], true, false);
  return { default: page.ExportsPage };
});

export const ExportsPage = () => (
  <Suspense fallback={<section className="page" />}>
    <ExportsScreen />
  </Suspense>
);
