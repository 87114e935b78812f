/**
 * Demo mode (演示模式): a synthetic county generated on the tablet and loaded into the local store,
 * so anyone can try the app without an account. The generator loads only when asked for.
 */
import { importRoster } from '../../db/import.ts';
import { db } from '../../db/schema.ts';

export async function loadDemo(opts: { members?: number; seed?: number } = {}, onProgress?: (done: number, total: number) => void): Promise<{ members: number; households: number }> {
  const { generateCounty } = await import('../../../model/demo/index.ts');
  const county = generateCounty({ seed: opts.seed ?? 1, members: opts.members ?? 10_000, now: new Date().toISOString() });
  await importRoster(county, onProgress);
  await db().meta.put({ key: 'mode', value: { demo: true, county: county.county, loadedAt: new Date().toISOString() } });
  return { members: county.members.length, households: county.households.length };
}
