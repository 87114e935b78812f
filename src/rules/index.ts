/** The settlement rules engine: pure, shared by the browser, the server and the command line. */
export { RulesError } from './errors.ts';
export { formatFen, formatFenGrouped, formatRatio, parseAmount, parseRatio, mulRatio, roundFen, RATIO_ONE, MAX_FEN } from './money.ts';
export { isIsoDate, yearOf } from './dates.ts';
export { compilePack, packHash, STAGE_KINDS, type CompiledPack, type ParamInfo } from './pack.ts';
export type * from './pack-types.ts';
export { PAYERS, FILING_KINDS, FILING_FIELD_IDS } from './pack-types.ts';
export { Settlement, type EngineClaim, type ClaimResult, type TraceStep, type YearContextItem } from './engine.ts';
export { explainTrace, layerName, renderFormula, type Lang } from './explain.ts';
export { statusOn, statusKey, type PersonStatus, type DatedStatus, type Assistance } from './status.ts';
export { parseScenario, settleParsed, scenarioOutput, runScenario, normalizeIcd, amountOrFail, type ScenarioOutput, type ParsedScenario } from './scenario.ts';
export { builtinPack, builtinPackIds, BUILTIN_PACK_JSON } from './packs/index.ts';
export { grantEligibility, type GrantCheck } from './grant.ts';
