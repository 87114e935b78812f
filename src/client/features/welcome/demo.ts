/**
 * Demo mode (演示模式): a synthetic county generated on the tablet and loaded into the demo's own
 * profile (src/client/profiles), so anyone can try the app without an account and a county
 * account signed in later never mixes with it. The generator loads only when asked for.
 */
import { importRoster } from '../../db/import.ts';
import { demoProfile, openStore } from '../../profiles/registry.ts';
import { enter } from '../../profiles/store.ts';

export async function loadDemo(opts: { members?: number; seed?: number } = {}, onProgress?: (done: number, total: number) => void): Promise<{ members: number; households: number }> {
  performance.mark('cunyi:demo-start');
  const { generateCounty } = await import('../../../model/demo/index.ts');
  const county = generateCounty({ seed: opts.seed ?? 1, members: opts.members ?? 10_000, now: new Date().toISOString() });
  performance.mark('cunyi:demo-generated');
  const { profile, key } = await demoProfile();
  performance.mark('cunyi:demo-profile');
  const bulk = await openStore(profile, key, 'relaxed');
  try {
    await importRoster(county, onProgress, bulk);
  } finally {
    bulk.close();
  }
  const d = await openStore(profile, key);
  await d.meta.put({ key: 'mode', value: { demo: true, county: county.county, loadedAt: new Date().toISOString() } });
  await enter(profile, key, d);
  return { members: county.members.length, households: county.households.length };
}
