/** The care-plan packs shipped with the app, loaded and checked once. */
import { RulesError } from '../../../rules/errors.ts';
import { loadCarePack, type CarePack } from '../pack.ts';
import national2017 from './CN-national-2017.json';

export const BUILTIN_CARE_PACK_JSON: readonly unknown[] = [national2017];
export const DEFAULT_CARE_PACK_ID = 'CN-national-2017';

const loaded = new Map<string, CarePack>();

export function builtinCarePack(id: string = DEFAULT_CARE_PACK_ID): CarePack {
  let p = loaded.get(id);
  if (p) return p;
  const json = BUILTIN_CARE_PACK_JSON.find((j) => (j as { id?: unknown }).id === id);
  if (!json) throw new RulesError('unknown-careplan-pack', 'carePackId', `未知随访方案 "${id}" (unknown care-plan pack)`);
  p = loadCarePack(json);
  loaded.set(id, p);
  return p;
}
