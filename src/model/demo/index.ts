/** The synthetic demo county (交口县), for the browser's demo mode and `npm run demo`. */
export { generateCounty, DEFAULT_MEMBERS, DEFAULT_NOW, DEFAULT_SEED, MAX_MEMBERS, type DemoCounty, type GenerateOptions } from './generate.ts';
export { DEMO_COUNTY, TOWNSHIPS, NEIGHBOUR_REGIONS } from './places.ts';
export { SURNAMES, GIVEN, generationOf, type NamePart } from './names.ts';
export { Rng, seededIds } from './random.ts';
