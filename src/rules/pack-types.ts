/**
 * The policy pack format (format 1): what a county publishes as JSON. Every number is a
 * parameter carrying its source: a document of the pack and a verbatim quote from it, or
 * "assumption" when the source does not state it (POLICIES.md [A]).
 *
 * Layers are a closed set of typed stage kinds; the engine has one implementation per kind and
 * no knowledge of regions.
 */

export type Source = { doc: string; quote: string } | 'assumption';

export interface Param<T> {
  value: T;
  source: Source;
  note?: string;
}

/** A yuan amount written as a string with at most two decimals ("1500", "1500.00"). */
export type MoneyText = string;
/** A ratio written as a decimal string with at most four decimals ("0.85"), 0 to 1. */
export type RatioText = string;
/** Values per facility class id. */
export type ByClass<T> = Record<string, T>;

/**
 * Person groups. A person fits "registeredPoor" when registered poor (建档立卡), "poorClass1"/"poorClass2"
 * when registered poor of that class, "dibao" 低保 and "tekun" 特困 by assistance status, "any" always.
 */
export type Group = 'any' | 'registeredPoor' | 'poorClass1' | 'poorClass2' | 'dibao' | 'tekun';

export type Payer = 'basic' | 'critical' | 'backstop' | 'supplementary' | 'assistance' | 'hospital';
export const PAYERS: readonly Payer[] = ['basic', 'critical', 'backstop', 'supplementary', 'assistance', 'hospital'];

export interface Text {
  'zh-CN': string;
  en: string;
}

export interface FacilityClass extends Text {
  id: string;
  /** Administrative or grade tier, higher is higher (township 1 … province 4). */
  tier: number;
  /** Whether the class lies inside the pack's region (out-of-area classes are false). */
  inArea: boolean;
}

interface StageBase extends Partial<Text> {
  /** Unique within the pack; parameter names are `${id}.${field}`. */
  id: string;
  /** Why the stage exists: the clause that creates the layer. */
  basis: Source;
  title: Text;
}

export interface BasicStage extends StageBase {
  kind: 'basic';
  deductible: Param<ByClass<MoneyText>>;
  ratio: Param<ByClass<RatioText>>;
  /** Annual fund cap; null value = no cap. */
  annualCap: Param<MoneyText | null>;
  adjustments: BasicAdjustment[];
}

export interface BasicAdjustment {
  groups: Group[];
  /** Deductible multiplied by this factor (rounded half-up to the fen). */
  deductibleFactor?: Param<RatioText>;
  /** Points added to the class ratio. */
  ratioAdd?: Param<ByClass<RatioText>>;
  /** Upper bound of the adjusted ratio. */
  ratioMax?: Param<RatioText>;
}

export interface CriticalStage extends StageBase {
  kind: 'critical';
  threshold: Param<MoneyText>;
  ratio: Param<RatioText>;
  annualCap: Param<MoneyText | null>;
  /** First adjustment whose groups the person fits applies (packs list tekun, dibao, poor, in that order). */
  adjustments: CriticalAdjustment[];
}

export interface CriticalAdjustment {
  groups: Group[];
  threshold?: Param<MoneyText>;
  thresholdFactor?: Param<RatioText>;
  ratio?: Param<RatioText>;
  ratioAdd?: Param<RatioText>;
  annualCap?: Param<MoneyText | null>;
}

/** Splits out-of-catalogue cost O into E = min(O, ratio × T) and X = O − E for the groups named. */
export interface CatalogueControlStage extends StageBase {
  kind: 'catalogue-control';
  groups: Group[];
  controlRatio: Param<ByClass<RatioText>>;
}

/** Caps the year's in-catalogue personal burden (Shanxi "136"); the fund pays what lies above. */
export interface BurdenCapStage extends StageBase {
  kind: 'burden-cap';
  payer: Payer;
  groups: Group[];
  cap: Param<ByClass<MoneyText>>;
  /** "highest-tier": one burden total a year; the cap in force is that of the highest tier attended so far. */
  scope: Param<'highest-tier'>;
}

/** Pays a share of E, the out-of-catalogue cost within the control ratio. */
export interface ControlShareStage extends StageBase {
  kind: 'control-share';
  payer: Payer;
  groups: Group[];
  rate: Param<RatioText>;
}

/** Pays the part of the year's cumulative burden (in-catalogue left + E) above a threshold. */
export interface AnnualBurdenStage extends StageBase {
  kind: 'annual-burden';
  payer: Payer;
  threshold: Param<MoneyText>;
  /** Which part of a claim uses up the threshold first. */
  order: Param<'in-catalogue-first'>;
  tiers: { groups: Group[]; inRate: Param<RatioText>; outRate: Param<RatioText> }[];
}

/** Puts a share of X (out-of-catalogue above the control ratio) on the hospital. */
export interface HospitalExcessStage extends StageBase {
  kind: 'hospital-excess';
  payer: Payer;
  groups: Group[];
  share: Param<ByClass<RatioText>>;
}

/** Tops the claim up so that the payers so far reach targetRatio × T. */
export interface TopUpStage extends StageBase {
  kind: 'top-up';
  payer: Payer;
  groups: Group[];
  targetRatio: Param<RatioText>;
}

/** Pays a rate of the compliant self-pay left (in-catalogue + E), above an annual threshold, within a cap. */
export interface CompliantLeftStage extends StageBase {
  kind: 'compliant-left';
  payer: Payer;
  tiers: { groups: Group[]; rate: Param<RatioText>; threshold: Param<MoneyText>; annualCap: Param<MoneyText | null> }[];
}

/** Pays a rate of the out-of-catalogue cost left to the patient (二次救助), within a cap. */
export interface OutOfCatalogueLeftStage extends StageBase {
  kind: 'out-of-catalogue-left';
  payer: Payer;
  tiers: { groups: Group[]; rate: Param<RatioText>; annualCap: Param<MoneyText | null> }[];
}

export type Stage =
  | BasicStage
  | CriticalStage
  | CatalogueControlStage
  | BurdenCapStage
  | ControlShareStage
  | AnnualBurdenStage
  | HospitalExcessStage
  | TopUpStage
  | CompliantLeftStage
  | OutOfCatalogueLeftStage;

export type StageKind = Stage['kind'];

export interface DiseaseEntry extends Text {
  id: string;
  category: 'special' | 'other' | 'two-diseases';
  /** Inclusive ICD-10 three-character category ranges, e.g. [["C00", "C97"]]. */
  icd: [string, string][];
  groups: Group[];
  ratio: Param<RatioText>;
  annualLimit: Param<MoneyText>;
}

export interface OutpatientRules {
  id: string;
  basis: Source;
  title: Text;
  /** The first entry (in order) whose range holds the code and whose groups the person fits applies. */
  entries: DiseaseEntry[];
}

export interface GrantRule {
  id: string;
  basis: Source;
  title: Text;
  groups: Group[];
  amount: Param<MoneyText>;
  /** Paid once in a lifetime. */
  once: boolean;
  /** Required stage of the disease, e.g. "late" (晚期). */
  stage: 'late' | 'any';
  diseases: { id: string; 'zh-CN': string; en: string; icd: [string, string][] }[];
  diseaseList: Source;
  note?: string;
}

/** The kinds of proxy filing (代报代办) the app knows how to fill; a pack lists the ones its region runs. */
export type FilingKind = 'out-of-county-reimbursement' | 'chronic-certification' | 'critical-care-grant' | 'medical-assistance' | 'out-of-area-registration';
export const FILING_KINDS: readonly FilingKind[] = ['out-of-county-reimbursement', 'chronic-certification', 'critical-care-grant', 'medical-assistance', 'out-of-area-registration'];

/**
 * Fields a filing form may ask for. Each has one meaning and one check everywhere (src/model/filing.ts):
 * dates are ISO dates, amounts yuan with at most two decimals, `facility` a class or named facility
 * of the pack, `disease` an ICD-10 code, `grantDisease` a disease of the filing's grant.
 */
export type FilingFieldId =
  | 'admissionDate'
  | 'dischargeDate'
  | 'facility'
  | 'total'
  | 'outOfCatalog'
  | 'disease'
  | 'grantDisease'
  | 'lateStage'
  | 'diagnosisDate'
  | 'destination'
  | 'reason'
  | 'payee'
  | 'note';
export const FILING_FIELD_IDS: readonly FilingFieldId[] = [
  'admissionDate',
  'dischargeDate',
  'facility',
  'total',
  'outOfCatalog',
  'disease',
  'grantDisease',
  'lateStage',
  'diagnosisDate',
  'destination',
  'reason',
  'payee',
  'note',
];

/** Who reviews at a stage: the village committee (confirmed on the tablet at filing), a township, a county office. */
export type ReviewLevel = 'village' | 'township' | 'county';

export interface FilingTypeRule {
  /** Unique within the pack. */
  id: string;
  kind: FilingKind;
  title: Text;
  /** The clause that creates the filing, or "assumption". */
  basis: Source;
  /** Who may file (a hint shown on the form; the reviewers decide). */
  groups: Group[];
  fields: { id: FilingFieldId; required: boolean }[];
  documents: (Text & { id: string; required: boolean; min?: number })[];
  /** The review path in order; a "village" stage can only come first. */
  review: (Text & { id: string; level: ReviewLevel; office: Text })[];
  /** Where the review path is stated (or "assumption"). */
  reviewSource: Source;
  /** Attach the engine's estimate of the claim (needs the claim fields). */
  estimate: boolean;
  /** What approval grants: an amount (money), or a decision (certification, registration). */
  outcome: 'amount' | 'decision';
  /** For a grant: the grant rule of the pack whose amount is approved by default. */
  grant?: string;
}

export interface PackDocument {
  number: string;
  title: string;
  issuer?: string;
  date?: string;
  file?: string;
}

/** A named hospital of the region and its class, for picking a facility by name. */
export interface Facility extends Text {
  id: string;
  class: string;
}

export interface PackJson {
  format: 1;
  id: string;
  version: string;
  name: Text;
  region: Text & { code: string };
  effective: { from: string; to: string | null };
  /** SHA-256 of the canonical JSON of the pack without this field. */
  hash?: string;
  documents: Record<string, PackDocument>;
  /** Registered-poor persons must carry class 1 or 2 under this pack. */
  poorClasses: boolean;
  facilityClasses: FacilityClass[];
  inpatient: Stage[];
  outpatient: OutpatientRules | null;
  grants: GrantRule[];
  /** Named facilities (optional). */
  facilities?: Facility[];
  /**
   * Figures the estimate screen uses where the patient cannot say (not settlement rules):
   * outOfCatalogueShare bounds the range shown when the out-of-catalogue cost is unknown, in
   * packs without a catalogue-control stage.
   */
  estimate?: { outOfCatalogueShare?: Param<RatioText> };
  /** Proxy filings (代报代办) the region runs, with their fields, documents and review paths. */
  filings?: FilingTypeRule[];
}
