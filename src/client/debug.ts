/**
 * A small handle on window for end-to-end tests and the client benchmark (window.cunyi): the same
 * functions the screens call, nothing more. Only in their build (`vite build --mode e2e`): main.tsx
 * imports this module in that mode alone, so a production build has neither it nor the handle.
 */
import { CunyiDb, db } from './db/schema.ts';
import { search } from './db/search.ts';
import { importRoster } from './db/import.ts';
import { loadDemo } from './features/welcome/demo.ts';

export function exposeDebugApi(): void {
  (window as unknown as { cunyi: unknown }).cunyi = {
    db,
    search,
    loadDemo,
    importRoster,
    estimateLogic: () => import('../model/estimate.ts'),
    filings: () => import('./db/filings.ts'),
    images: () => import('./features/filings/images.ts'),
    sync: () => import('./sync/engine.ts'),
    rules: () => import('../rules/index.ts'),
    profiles: () => import('./profiles/registry.ts'),
    keys: () => import('./profiles/keys.ts'),
    repo: () => import('./db/repo.ts'),
    careplan: () => import('./db/careplan.ts'),
    careModel: () => import('../model/careplan/index.ts'),
    exports: () => import('./features/exports/build.ts'),
    /** A store sealed under a fresh key, for the import benchmark (relaxed, like a bulk import). */
    sealedStore: (name: string) => new CunyiDb(name, { key: crypto.getRandomValues(new Uint8Array(32)), durability: 'relaxed' }),
    gate: () => import('./profiles/store.ts'),
    generate: async (opts: { members: number; seed?: number }) => (await import('../model/demo/index.ts')).generateCounty(opts),
  };
}
