/**
 * The export screen loads when first opened: it, its words, the sheets' rules and write-excel-file
 * are a chunk of their own, outside the initial JavaScript budget.
 */
import { lazy, Suspense } from 'react';

const ExportsScreen = lazy(async () => {
  const [{ addBundle }, { exportMessages }, page] = await Promise.all([import('../../i18n/index.ts'), import('./messages.ts'), import('./ExportsPage.tsx'), import('./exports.css')]);
  addBundle(exportMessages);
  return { default: page.ExportsPage };
});

export const ExportsPage = () => (
  <Suspense fallback={<section className="page" />}>
    <ExportsScreen />
  </Suspense>
);
