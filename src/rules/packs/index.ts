/**
 * The policy packs shipped with the app. A county can publish a revised pack as JSON; it is
 * loaded with compilePack() and checked the same way (see src/cli/pack.ts).
 */
import { RulesError } from '../errors.ts';
import { compilePack, type CompiledPack } from '../pack.ts';
import type { PackJson } from '../pack-types.ts';
import shanxi from './CN-140000-2017.json';
import qinhuangdao from './CN-130300-2016.json';
import xianning from './CN-421200-2017.json';
import guangdong from './CN-440000-2018.json';
import fengxiang from './CN-610322-2019.json';

export const BUILTIN_PACK_JSON: readonly PackJson[] = [shanxi, fengxiang, xianning, qinhuangdao, guangdong] as unknown as PackJson[];

const compiled = new Map<string, CompiledPack>();

export function builtinPackIds(): string[] {
  return BUILTIN_PACK_JSON.map((p) => p.id);
}

/** A shipped pack by id, compiled once. Throws RulesError("unknown-policy") for an unknown id. */
export function builtinPack(id: string, path = 'policy'): CompiledPack {
  let p = compiled.get(id);
  if (p) return p;
  const json = BUILTIN_PACK_JSON.find((j) => j.id === id);
  if (!json) {
    throw new RulesError('unknown-policy', path, `未知政策包 "${id}" (unknown policy pack; known: ${builtinPackIds().join(', ')})`);
  }
  p = compilePack(json);
  compiled.set(id, p);
  return p;
}
