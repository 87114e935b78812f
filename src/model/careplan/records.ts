/**
 * The care-plan records that cross the wire (valibot, like src/model/records.ts): a household visit
 * (入户走访), a follow-up of one of the two diseases (两病随访: hypertension, type-2 diabetes) and a
 * family-doctor contract (家庭医生签约). One schema each, checked by the county server before it
 * stores a pushed record and by the tablet before it writes a pulled one.
 *
 * Every number is an integer in a stated unit, so nothing is a float: blood pressure in mmHg, heart
 * rate in beats a minute, weight in 0.1 kg, height in cm, glucose in 0.1 mmol/L. A refusal names the
 * field (`readings.dbp`) and says what is wrong; readings outside what a living person shows, or a
 * diastolic pressure not below the systolic, are refused rather than stored.
 */
import * as v from 'valibot';
import { MAX_PHOTO_BYTES, PHOTO_TYPES } from '../filing.ts';
import { Id, IsoDate, IsoInstant, Rev, firstProblem, text, type RecordProblem } from '../record-parts.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A whole number from lo to hi in a unit, or null when not measured. */
const reading = (lo: number, hi: number, unit: string) =>
  v.nullable(
    v.pipe(
      v.number(`must be a number in ${unit}`),
      v.integer(`must be a whole number of ${unit}`),
      v.minValue(lo, `below ${lo} ${unit} is no living person's reading`),
      v.maxValue(hi, `above ${hi} ${unit} is no living person's reading`),
    ),
  );

/** A count or amount a person reports (cigarettes a day, minutes a week), or null when not asked. */
const count = (hi: number, unit: string) =>
  v.nullable(v.pipe(v.number(`must be a number of ${unit}`), v.integer(`must be a whole number of ${unit}`), v.minValue(0, 'cannot be negative'), v.maxValue(hi, `more than ${hi} ${unit}`)));

/** The bounds the schemas take, in the records' units (docs/careplan.md lists why). */
export const READING_BOUNDS = {
  sbp: [60, 280],
  dbp: [30, 180],
  heartRate: [30, 220],
  /** 0.1 kg: 2.0–250.0 kg. */
  weightTenthKg: [20, 2500],
  heightCm: [40, 230],
  /** 0.1 mmol/L: 1.0–40.0 mmol/L (a meter reads about 1.1–33.3; a laboratory higher). */
  glucoseTenthMmol: [10, 400],
} as const satisfies Record<string, readonly [number, number]>;

const Photo = v.strictObject({
  sha256: v.pipe(v.string('must be a SHA-256'), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')),
  size: v.pipe(v.number('must be a size in bytes'), v.integer('must be whole bytes'), v.minValue(1, 'cannot be empty'), v.maxValue(MAX_PHOTO_BYTES, `at most ${MAX_PHOTO_BYTES} bytes`)),
  mime: v.picklist(PHOTO_TYPES as string[], `must be one of ${PHOTO_TYPES.join(', ')}`),
});

export const ANSWERS = ['yes', 'no', 'unknown'] as const;
export type Answer = (typeof ANSWERS)[number];

const Answered = v.strictObject({
  answer: v.picklist(ANSWERS, 'must be yes, no or unknown'),
  note: v.optional(text(500)),
});

// ---------------------------------------------------------------------------------------------
// Household visit (入户走访)

/**
 * What a visit asks of each member. Every item is optional: an item that does not apply to a
 * member (a child without a hospital stay) is left out rather than answered.
 */
export const CHECKLIST_ITEMS = [
  /** 参保缴费: insured (contribution paid) for this year. */
  'insured',
  /** 参保资助: the contribution subsidy for this year received. */
  'subsidy',
  /** 家庭医生签约. */
  'contract',
  /** 慢特病 or 两病 certified (认定). */
  'chronicCertified',
  /** …and its outpatient benefit used. */
  'chronicBenefitUsed',
  /** Hospital stays settled at discharge (一站式); "no" means still awaiting reimbursement. */
  'hospitalSettled',
  /** Needs the doctor or cadre to file for them (代报代办). */
  'needsProxyFiling',
] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

const Checklist = v.strictObject(Object.fromEntries(CHECKLIST_ITEMS.map((k) => [k, v.optional(Answered)])) as Record<ChecklistItem, v.OptionalSchema<typeof Answered, undefined>>);

export const VISITOR_ROLES = ['doctor', 'cadre', 'township', 'other'] as const;

/** A problem found and the measure agreed, due by a date, done on a date (null until done). */
const Finding = v.pipe(
  v.strictObject({
    /** Kept across visits: a later visit carrying the same id records its progress. */
    id: Id,
    memberId: v.nullable(Id),
    problem: text(500, 1),
    measure: text(500, 1),
    due: IsoDate,
    doneOn: v.nullable(IsoDate),
  }),
);

export const HouseholdVisitSchema = v.pipe(
  v.strictObject({
    id: Id,
    householdId: Id,
    villageId: Id,
    date: IsoDate,
    visitors: v.pipe(
      v.array(v.strictObject({ name: text(50, 1), role: v.picklist(VISITOR_ROLES, `must be one of ${VISITOR_ROLES.join(', ')}`) }), 'must be a list'),
      v.minLength(1, 'needs at least one visitor'),
      v.maxLength(10, 'at most 10 visitors'),
    ),
    /** Members met in person. */
    met: v.pipe(v.array(Id, 'must be a list'), v.maxLength(30, 'at most 30 members')),
    checklist: v.pipe(
      v.array(v.strictObject({ memberId: Id, items: Checklist }), 'must be a list'),
      v.maxLength(30, 'at most 30 members'),
      v.check((l) => new Set(l.map((c) => c.memberId)).size === l.length, 'lists a member twice'),
    ),
    findings: v.pipe(
      v.array(Finding, 'must be a list'),
      v.maxLength(50, 'at most 50 findings'),
      v.check((l) => new Set(l.map((f) => f.id)).size === l.length, 'lists a finding twice'),
    ),
    photos: v.optional(v.pipe(v.array(Photo, 'must be a list'), v.maxLength(20, 'at most 20 photos'))),
    note: v.optional(text(2000)),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
    rev: v.optional(Rev),
  }),
  v.forward(
    v.check((r) => new Set(r.met).size === r.met.length, 'lists a member twice'),
    ['met'],
  ),
  v.forward(
    v.check((r) => r.findings.every((f) => f.doneOn === null || f.doneOn >= r.date), 'a measure is done before the visit that agreed it'),
    ['findings'],
  ),
);

export type HouseholdVisit = v.InferOutput<typeof HouseholdVisitSchema>;
export type VisitFinding = HouseholdVisit['findings'][number];

// ---------------------------------------------------------------------------------------------
// Two-disease follow-up (两病随访)

export const DISEASES = ['hypertension', 'diabetes2'] as const;
export type Disease = (typeof DISEASES)[number];

/** 随访方式: 门诊 at the clinic, 家庭 at home, 电话 by phone. */
export const FOLLOWUP_WAYS = ['clinic', 'home', 'phone', 'video', 'other'] as const;
export type FollowupWay = (typeof FOLLOWUP_WAYS)[number];

/**
 * Symptoms of the follow-up forms (高血压、2型糖尿病患者随访服务记录表) and the danger signs of their
 * referral criteria, as codes; the care-plan pack says which of them call for urgent referral.
 */
export const SYMPTOMS = [
  'none',
  'headache-dizziness', // 头痛头晕
  'nausea-vomiting', // 恶心呕吐
  'tinnitus-dim-vision', // 眼花耳鸣
  'dyspnoea', // 呼吸困难
  'palpitations-chest-tightness', // 心悸胸闷
  'nosebleed', // 鼻衄出血不止
  'limb-numbness', // 四肢发麻 / 手脚麻木
  'leg-oedema', // 下肢水肿
  'polydipsia', // 多饮
  'polyphagia', // 多食
  'polyuria', // 多尿
  'blurred-vision', // 视力模糊
  'infection', // 感染
  'weight-loss', // 体重明显下降
  'consciousness-change', // 意识（或行为）改变
  'severe-headache-dizziness', // 剧烈头痛或头晕
  'eye-pain', // 眼痛
  'orthopnoea', // 喘憋不能平卧
  'acetone-breath', // 呼气有烂苹果样丙酮味
  'sweating', // 出汗
  'appetite-loss', // 食欲减退
  'abdominal-pain', // 腹痛
  'deep-breathing', // 深大呼吸
  'flushed-skin', // 皮肤潮红
  'fever-over-39', // 体温超过 39 ℃
  'sudden-vision-loss', // 视力突然骤降
  'pregnant-or-nursing', // 妊娠期或哺乳期
  'other',
] as const;
export type Symptom = (typeof SYMPTOMS)[number];

/** 服药依从性: 规律 regular, 间断 intermittent, 不服药 none. */
export const ADHERENCE = ['regular', 'intermittent', 'none'] as const;
export type Adherence = (typeof ADHERENCE)[number];

/** 此次随访分类: 控制满意, 控制不满意, 不良反应, 并发症. */
export const CLASSIFICATIONS = ['satisfactory', 'unsatisfactory', 'adverse-reaction', 'complication'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const SALT = ['light', 'medium', 'heavy'] as const;

const Readings = v.pipe(
  v.strictObject({
    sbp: reading(...READING_BOUNDS.sbp, 'mmHg'),
    dbp: reading(...READING_BOUNDS.dbp, 'mmHg'),
    heartRate: reading(...READING_BOUNDS.heartRate, 'beats a minute'),
    weightTenthKg: reading(...READING_BOUNDS.weightTenthKg, '0.1 kg'),
    heightCm: reading(...READING_BOUNDS.heightCm, 'cm'),
    glucoseTenthMmol: reading(...READING_BOUNDS.glucoseTenthMmol, '0.1 mmol/L'),
  }),
  v.forward(
    v.check((r) => (r.sbp === null) === (r.dbp === null), 'is needed with the systolic pressure (both or neither)'),
    ['dbp'],
  ),
  v.forward(
    v.check((r) => r.sbp === null || r.dbp === null || r.dbp < r.sbp, 'must be below the systolic pressure'),
    ['dbp'],
  ),
);
export type Readings = v.InferOutput<typeof Readings>;

export const FollowupSchema = v.pipe(
  v.strictObject({
    id: Id,
    memberId: Id,
    villageId: Id,
    disease: v.picklist(DISEASES, 'must be hypertension or diabetes2'),
    date: IsoDate,
    way: v.picklist(FOLLOWUP_WAYS, `must be one of ${FOLLOWUP_WAYS.join(', ')}`),
    readings: Readings,
    symptoms: v.pipe(
      v.array(v.picklist(SYMPTOMS, 'must be a symptom code of the form'), 'must be a list'),
      v.check((l) => new Set(l).size === l.length, 'lists a symptom twice'),
      v.check((l) => !l.includes('none') || l.length === 1, '"none" cannot go with other symptoms'),
    ),
    symptomNote: v.optional(text(500)),
    lifestyle: v.strictObject({
      cigarettesPerDay: count(100, 'cigarettes a day'),
      /** 日饮酒量, in 两 (50 g) as the form asks it. */
      alcoholLiangPerDay: count(40, '两 a day'),
      exerciseMinutesPerWeek: count(7 * 24 * 60, 'minutes a week'),
      salt: v.nullable(v.picklist(SALT, 'must be light, medium or heavy')),
    }),
    medications: v.pipe(v.array(v.strictObject({ name: text(100, 1), dosage: text(100) }), 'must be a list'), v.maxLength(20, 'at most 20 medications')),
    adherence: v.nullable(v.picklist(ADHERENCE, 'must be regular, intermittent or none')),
    /** 药物不良反应. */
    adverseReaction: v.strictObject({ present: v.boolean('must be true or false'), note: v.optional(text(500)) }),
    /** 新发并发症或原有并发症加重. */
    complication: v.strictObject({ present: v.boolean('must be true or false'), note: v.optional(text(500)) }),
    /** As evaluate.ts computed it when saved (with the pack below). */
    classification: v.picklist(CLASSIFICATIONS, `must be one of ${CLASSIFICATIONS.join(', ')}`),
    /** The doctor's own classification, with why; it then decides the next due date. */
    override: v.nullable(v.strictObject({ classification: v.picklist(CLASSIFICATIONS, `must be one of ${CLASSIFICATIONS.join(', ')}`), reason: text(500, 1) })),
    referral: v.nullable(v.strictObject({ reason: text(500, 1), to: text(100) })),
    /** The next follow-up as agreed with the patient (预约). */
    nextDue: IsoDate,
    /** The care-plan pack the classification was computed with. */
    carePackId: text(64, 1),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
    rev: v.optional(Rev),
  }),
  v.forward(
    v.check((f) => f.nextDue > f.date, 'must be after the follow-up date'),
    ['nextDue'],
  ),
  v.forward(
    v.check((f) => f.override === null || f.override.classification !== f.classification, 'is the same as the computed classification'),
    ['override'],
  ),
);
export type Followup = v.InferOutput<typeof FollowupSchema>;

// ---------------------------------------------------------------------------------------------
// Family-doctor contract (家庭医生签约)

export const ContractSchema = v.pipe(
  v.strictObject({
    id: Id,
    memberId: Id,
    householdId: Id,
    villageId: Id,
    signedOn: IsoDate,
    doctor: v.strictObject({ name: text(50, 1), team: text(100) }),
    /** The service package (服务包) as the county names it. */
    packageId: text(64, 1),
    validUntil: IsoDate,
    endedOn: v.nullable(IsoDate),
    createdAt: IsoInstant,
    updatedAt: IsoInstant,
    rev: v.optional(Rev),
  }),
  v.forward(
    v.check((c) => c.validUntil > c.signedOn, 'must be after the signing date'),
    ['validUntil'],
  ),
  v.forward(
    v.check((c) => c.endedOn === null || c.endedOn >= c.signedOn, 'is before the signing date'),
    ['endedOn'],
  ),
);
export type Contract = v.InferOutput<typeof ContractSchema>;

// ---------------------------------------------------------------------------------------------

/**
 * The schemas by entity name of the sync protocol (src/model/sync.ts), listed in RECORD_SCHEMAS
 * (src/model/records.ts) with the roster's. The household visit goes by `visit`: it replaced the
 * visit of protocol 1 (one member, a note).
 */
export const CAREPLAN_SCHEMAS = {
  visit: HouseholdVisitSchema,
  followup: FollowupSchema,
  contract: ContractSchema,
} as const;
export type CareplanEntity = keyof typeof CAREPLAN_SCHEMAS;
export const CAREPLAN_ENTITIES = Object.keys(CAREPLAN_SCHEMAS) as CareplanEntity[];

/** Checks a care-plan record; the problem names the field. */
export function checkCareplanRecord(entity: CareplanEntity, record: unknown): RecordProblem | null {
  return firstProblem(CAREPLAN_SCHEMAS[entity], record);
}
