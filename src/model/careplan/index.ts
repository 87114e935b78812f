/** The care plan: records, pack, evaluation and the work list (docs/careplan.md). */
export * from './records.ts';
export * from './pack.ts';
export * from './evaluate.ts';
export * from './worklist.ts';
export { builtinCarePack, BUILTIN_CARE_PACK_JSON, DEFAULT_CARE_PACK_ID } from './packs/index.ts';
export { addDays, addMonths, dayOf, isoOf } from '../days.ts';
export * from './check.ts';
export * from './dashboard.ts';
export * from './report.ts';
