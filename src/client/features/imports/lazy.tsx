/**
 * The roster import screen loads when first opened: it, its words and the report's schema are a
 * chunk of their own, outside the initial JavaScript budget.
 */
import { lazy, Suspense } from 'react';

const ImportScreen = lazy(async () => {
  const [{ addBundle }, { importMessages }, page] = await Promise.all([import('../../i18n/index.ts'), import('./messages.ts'), import('./ImportPage.tsx'), import('./imports.css')]);
  addBundle(importMessages);
  return { default: page.ImportPage };
});

export const ImportPage = () => (
  <Suspense fallback={<section className="page" />}>
    <ImportScreen />
  </Suspense>
);
