/**
 * Proxy filings: what makes one complete (checkFiling) for every filing type of every shipped pack,
 * the review workflow (applyReview, submittedRecord, resubmittedRecord), and compilePack's refusal of
 * bad filing definitions. Cases are generated from the packs' data, plus named expectations.
 */
import { describe, expect, it } from 'vitest';
import {
  applyReview,
  canActAt,
  checkFiling,
  CONSENT_KIND,
  currentStage,
  emptyContent,
  facilityClassOf,
  fenOf,
  filingType,
  lastReason,
  MAX_DOCUMENTS,
  MAX_PHOTO_BYTES,
  MAX_TEXT,
  mayAct,
  needsVillageConfirmation,
  resubmittedRecord,
  serverStages,
  submittedRecord,
  WorkflowError,
  type Actor,
  type DocumentRef,
  type FilingContent,
  type FilingIssue,
  type FilingRecord,
  type FilingSubmission,
  type ReviewAction,
} from '../../src/model/filing.ts';
import {
  BUILTIN_PACK_JSON,
  builtinPack,
  builtinPackIds,
  compilePack,
  FILING_FIELD_IDS,
  RulesError,
  type CompiledPack,
  type FilingFieldId,
  type FilingTypeRule,
  type PackJson,
} from '../../src/rules/index.ts';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const TODAY = '2024-06-30';
const NOW = '2024-06-30T08:00:00.000Z';
const LATER = '2024-07-02T09:30:00.000Z';

const SHANXI = 'CN-140000-2017';
const FENGXIANG = 'CN-610322-2019';

/** A village of a township of a county (12-digit administrative code). */
const VILLAGE = '141129100201';
const TOWNSHIP_AREA = '141129100';
const OTHER_TOWNSHIP_AREA = '141129101';
const COUNTY_AREA = '141129';

const DOCTOR: Actor = { username: 'doc1', name: '赵医生', role: 'village-doctor', areas: [VILLAGE] };
const TOWNSHIP: Actor = { username: 'town1', name: '钱审核', role: 'township-reviewer', areas: [TOWNSHIP_AREA] };
const OTHER_TOWNSHIP: Actor = { username: 'town2', name: '孙审核', role: 'township-reviewer', areas: [OTHER_TOWNSHIP_AREA] };
const COUNTY: Actor = { username: 'county1', name: '李科长', role: 'county-reviewer', areas: [COUNTY_AREA] };
const OTHER_COUNTY: Actor = { username: 'county2', name: '周科长', role: 'county-reviewer', areas: ['141130'] };
const REVIEWER_AT = { township: TOWNSHIP, county: COUNTY } as const;

function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Dates inside the pack (discharge 30 days after it starts), none after TODAY. */
function datesOf(pack: CompiledPack): { admission: string; discharge: string; diagnosis: string } {
  const discharge = addDays(pack.from, 30);
  if (discharge > TODAY || (pack.to !== null && discharge > pack.to)) throw new Error(`no usable date in ${pack.id}`);
  return { admission: addDays(pack.from, 20), discharge, diagnosis: addDays(pack.from, 15) };
}

function grantOf(pack: CompiledPack, type: FilingTypeRule) {
  const g = pack.grants.find((x) => x.id === type.grant);
  if (!g) throw new Error(`${type.id} names no grant`);
  return g;
}

/** A valid value for each field id. */
function validValue(pack: CompiledPack, type: FilingTypeRule, id: FilingFieldId): string {
  const d = datesOf(pack);
  switch (id) {
    case 'admissionDate':
      return d.admission;
    case 'dischargeDate':
      return d.discharge;
    case 'diagnosisDate':
      return d.diagnosis;
    case 'facility':
      return `c:${pack.classes[0]!.id}`;
    case 'total':
      return '12000.00';
    case 'outOfCatalog':
      return '3000.00';
    case 'disease':
      return 'C34.1';
    case 'grantDisease':
      return grantOf(pack, type).diseases[0]!.id;
    case 'lateStage':
      return 'yes';
    case 'destination':
      return '北京协和医院';
    case 'reason':
      return '本地无法治疗，需转诊 (referral: not treatable locally)';
    case 'payee':
      return '张三 6222 0000 1111 2222';
    case 'note':
      return '家属代为办理';
  }
}

const hex64 = (n: number): string => n.toString(16).padStart(64, '0');
let docCounter = 0;

/** A photo with a unique id and hash. */
function doc(kind: string, over: Partial<DocumentRef> = {}): DocumentRef {
  const n = ++docCounter;
  return { id: `doc-${n}`, kind, sha256: hex64(n), size: 180_000, mime: 'image/jpeg', ...over };
}

interface BuildOptions {
  /** Only the required fields (default: every field of the type). */
  requiredOnly?: boolean;
  fields?: Partial<Record<FilingFieldId, string>>;
}

/** A complete content for the type: checkFiling must find nothing in it. */
function validContent(pack: CompiledPack, type: FilingTypeRule, opts: BuildOptions = {}): FilingContent {
  const fields: FilingContent['fields'] = {};
  for (const f of type.fields) if (f.required || !opts.requiredOnly) fields[f.id] = validValue(pack, type, f.id);
  Object.assign(fields, opts.fields ?? {});
  const documents: DocumentRef[] = [];
  for (const t of type.documents) for (let i = 0; i < (t.min ?? 1); i++) documents.push(doc(t.id));
  const consentDoc = doc(CONSENT_KIND, { mime: 'image/png' });
  documents.push(consentDoc);
  const c: FilingContent = {
    fields,
    documents,
    consent: { method: 'signature', signer: '张三', at: `${TODAY}T09:00:00+08:00`, sha256: consentDoc.sha256 },
    villageConfirmation: needsVillageConfirmation(type) ? { by: '王主任', date: TODAY } : null,
    estimate: null,
  };
  if (type.estimate) {
    const total = fenOf(fields.total)!;
    const outOfCatalog = fenOf(fields.outOfCatalog)!;
    c.estimate = {
      packId: pack.id,
      packVersion: pack.version,
      packHash: pack.hash,
      claim: { date: fields.dischargeDate!, kind: 'inpatient', facilityClass: facilityClassOf(pack, fields.facility)!, total, outOfCatalog, disease: fields.disease ?? null },
      payers: { basic: Math.round(total / 2) },
      patient: total - Math.round(total / 2),
      priorCount: 0,
      computedAt: `${TODAY}T09:00:00+08:00`,
    };
  }
  return c;
}

const brief = (issues: FilingIssue[]) => issues.map((i) => ({ path: i.path, code: i.code }));
const withoutEstimate = (issues: FilingIssue[]) => brief(issues).filter((i) => i.path !== 'estimate');
const CLAIM_FIELDS: FilingFieldId[] = ['dischargeDate', 'facility', 'total', 'outOfCatalog'];

interface BadCase {
  label: string;
  value: string;
  /** The non-estimate issues expected (path, code). */
  expect: { path: string; code: FilingIssue['code'] }[];
  /** Part of the detail of the first expected issue. */
  detail: RegExp;
  /** Other fields set with it. */
  patch?: Partial<Record<FilingFieldId, string>>;
}

/** Invalid values for a field id, each with what checkFiling must say. */
function badValues(pack: CompiledPack, type: FilingTypeRule, id: FilingFieldId): BadCase[] {
  const at = `fields.${id}`;
  const inv = [{ path: at, code: 'invalid' as const }];
  const has = (f: FilingFieldId) => type.fields.some((x) => x.id === f);
  const d = datesOf(pack);
  switch (id) {
    case 'admissionDate':
    case 'dischargeDate':
    case 'diagnosisDate': {
      // A future admission also puts the discharge before it.
      const futureAlso = id === 'admissionDate' && has('dischargeDate') ? [{ path: 'fields.dischargeDate', code: 'invalid' as const }] : [];
      const out: BadCase[] = [
        { label: 'not a date (30 February)', value: `${d.discharge.slice(0, 4)}-02-30`, expect: inv, detail: /ISO date/ },
        { label: 'slashes', value: d.discharge.replaceAll('-', '/'), expect: inv, detail: /ISO date/ },
        { label: 'in the future', value: addDays(TODAY, 1), expect: [...inv, ...futureAlso], detail: /future/ },
      ];
      if (id === 'dischargeDate') {
        const patch = has('admissionDate') ? { admissionDate: addDays(pack.from, -10) } : {};
        out.push({ label: 'before the pack', value: addDays(pack.from, -1), expect: inv, detail: /outside the pack's dates/, patch });
      }
      if (id === 'dischargeDate' && has('admissionDate')) out.push({ label: 'before admission', value: addDays(d.admission, -1), expect: inv, detail: /discharge before admission/ });
      return out;
    }
    case 'facility':
      return [
        { label: 'unknown class', value: 'c:nowhere', expect: inv, detail: /facility class/ },
        { label: 'unknown named facility', value: 'f:nowhere', expect: inv, detail: /facility class/ },
        { label: 'a class id without prefix', value: pack.classes[0]!.id, expect: inv, detail: /facility class/ },
      ];
    case 'total':
      return [
        { label: 'three decimals', value: '12000.001', expect: inv, detail: /at most two decimals/ },
        { label: 'not a number', value: '一万二', expect: inv, detail: /at most two decimals/ },
        { label: 'negative', value: '-12000', expect: inv, detail: /at most two decimals/ },
        // 0 is an amount but not a total; the out-of-catalogue 3000 then exceeds it.
        { label: 'zero', value: '0', expect: [...inv, ...(has('outOfCatalog') ? [{ path: 'fields.outOfCatalog', code: 'invalid' as const }] : [])], detail: /more than 0/ },
      ];
    case 'outOfCatalog':
      return [
        { label: 'more than the total', value: '12000.01', expect: inv, detail: /exceeds the total/ },
        { label: 'three decimals', value: '3000.123', expect: inv, detail: /at most two decimals/ },
      ];
    case 'disease':
      return [
        { label: 'not ICD-10', value: 'XYZ', expect: inv, detail: /ICD-10/ },
        { label: 'a disease name', value: '肺癌', expect: inv, detail: /ICD-10/ },
      ];
    case 'grantDisease':
      return [
        { label: 'not in the list', value: 'common-cold', expect: inv, detail: /listed diseases/ },
        { label: 'the Chinese name instead of the id', value: grantOf(pack, type).diseases[0]!.name['zh-CN'], expect: inv, detail: /listed diseases/ },
      ];
    case 'lateStage':
      return [
        { label: 'maybe', value: 'maybe', expect: inv, detail: /yes or no/ },
        { label: 'Chinese yes', value: '是', expect: inv, detail: /yes or no/ },
      ];
    default:
      return [{ label: `over ${MAX_TEXT} characters`, value: '字'.repeat(MAX_TEXT + 1), expect: inv, detail: /at most 500 characters/ }];
  }
}

/** Valid alternative values (besides validValue) that must be accepted. */
function goodValues(pack: CompiledPack, type: FilingTypeRule, id: FilingFieldId): string[] {
  const d = datesOf(pack);
  switch (id) {
    case 'admissionDate':
      // Claims are dated by discharge: an admission before the pack starts is fine.
      return [addDays(pack.from, -3), d.discharge];
    case 'dischargeDate':
      // Discharged on the day of admission, or today.
      return [TODAY, d.admission];
    case 'diagnosisDate':
      // A diagnosis may be older than the pack (a chronic disease diagnosed years ago).
      return [TODAY, pack.from, addDays(pack.from, -400)];
    case 'facility':
      return [`f:${pack.facilities[0]!.id}`, `c:${pack.classes[pack.classes.length - 1]!.id}`];
    case 'total':
      return ['12000', '3000', ' 88888.5 '];
    case 'outOfCatalog':
      return ['0', '12000', '12000.00'];
    case 'disease':
      return ['c34.1', 'I10', 'E11.9'];
    case 'grantDisease':
      return grantOf(pack, type).diseases.map((x) => x.id);
    case 'lateStage':
      return ['no'];
    default:
      return ['字'.repeat(MAX_TEXT)];
  }
}

// ---------------------------------------------------------------------------------------------

describe('filing types of the shipped packs', () => {
  it('names the five packs', () => {
    expect([...builtinPackIds()].sort()).toEqual(['CN-130300-2016', 'CN-140000-2017', 'CN-421200-2017', 'CN-440000-2018', 'CN-610322-2019']);
  });

  it('lists the filing types of docs/filing.md per pack', () => {
    const byPack = Object.fromEntries(builtinPackIds().map((id) => [id, builtinPack(id).filings.map((t) => `${t.kind}:${t.id}`)]));
    expect(byPack).toEqual({
      [SHANXI]: [
        'out-of-county-reimbursement:out-of-county',
        'critical-care-grant:critical-care-grant',
        'medical-assistance:medical-assistance',
        'chronic-certification:chronic-certification',
        'out-of-area-registration:out-of-area-registration',
      ],
      [FENGXIANG]: ['chronic-certification:chronic-certification', 'out-of-area-registration:out-of-area-registration'],
      'CN-421200-2017': ['medical-assistance:medical-assistance'],
      'CN-440000-2018': ['medical-assistance:medical-assistance'],
      'CN-130300-2016': ['out-of-county-reimbursement:out-of-county'],
    });
  });

  it('Shanxi critical-care grant: village → township → county civil affairs, 5,000 yuan by default', () => {
    const pack = builtinPack(SHANXI);
    const t = filingType(pack, 'critical-care-grant')!;
    expect(t.review.map((s) => [s.id, s.level])).toEqual([
      ['village', 'village'],
      ['township', 'township'],
      ['civil-affairs', 'county'],
    ]);
    expect(serverStages(t).map((s) => s.id)).toEqual(['township', 'civil-affairs']);
    expect(needsVillageConfirmation(t)).toBe(true);
    expect(t.outcome).toBe('amount');
    expect(t.grant).toBe('critical-care-grant');
    expect(grantOf(pack, t).amount.v).toBe(500000);
    expect(t.estimate).toBe(false);
    expect(t.fields).toEqual([
      { id: 'grantDisease', required: true },
      { id: 'lateStage', required: true },
      { id: 'diagnosisDate', required: true },
      { id: 'payee', required: true },
      { id: 'note', required: false },
    ]);
    expect(t.documents.map((d) => d.id)).toEqual(['id-card', 'diagnosis', 'application']);
  });

  it('Fengxiang: decisions at the county, no village confirmation, no estimate', () => {
    const pack = builtinPack(FENGXIANG);
    const chronic = filingType(pack, 'chronic-certification')!;
    const reg = filingType(pack, 'out-of-area-registration')!;
    expect(chronic.kind).toBe('chronic-certification');
    expect(reg.kind).toBe('out-of-area-registration');
    for (const t of [chronic, reg]) {
      expect(t.outcome).toBe('decision');
      expect(t.estimate).toBe(false);
      expect(needsVillageConfirmation(t)).toBe(false);
      expect(serverStages(t).map((s) => s.level)).toEqual(['county']);
    }
    expect(chronic.fields.filter((f) => f.required).map((f) => f.id)).toEqual(['disease', 'diagnosisDate']);
    expect(reg.fields.filter((f) => f.required).map((f) => f.id)).toEqual(['destination', 'reason']);
    expect(filingType(pack, 'critical-care-grant')).toBeUndefined();
  });

  it('only the Shanxi grant starts at the village; the cost filings attach an estimate', () => {
    const village: string[] = [];
    const estimate: string[] = [];
    for (const id of builtinPackIds()) {
      for (const t of builtinPack(id).filings) {
        if (needsVillageConfirmation(t)) village.push(`${id}/${t.id}`);
        if (t.estimate) estimate.push(`${id}/${t.id}`);
      }
    }
    expect(village).toEqual([`${SHANXI}/critical-care-grant`]);
    expect(estimate.sort()).toEqual(['CN-130300-2016/out-of-county', 'CN-140000-2017/medical-assistance', 'CN-140000-2017/out-of-county', 'CN-421200-2017/medical-assistance', 'CN-440000-2018/medical-assistance']);
  });

  it('compiles the filings as written in the JSON', () => {
    for (const json of BUILTIN_PACK_JSON) {
      const pack = builtinPack(json.id);
      expect(pack.filings.length).toBe(json.filings?.length);
      pack.filings.forEach((t, i) => {
        const raw = json.filings![i]!;
        expect(t.id).toBe(raw.id);
        expect(t.fields).toEqual(raw.fields);
        expect(t.documents).toEqual(raw.documents);
        expect(t.review).toEqual(raw.review);
        expect(t.outcome).toBe(raw.outcome);
        expect(t.grant).toBe(raw.grant);
      });
    }
  });
});

describe('checkFiling', () => {
  it('an unknown type is reported at "type"', () => {
    const pack = builtinPack(FENGXIANG);
    const issues = checkFiling(pack, 'critical-care-grant', emptyContent(), TODAY);
    expect(brief(issues)).toEqual([{ path: 'type', code: 'unknown' }]);
    expect(issues[0]!.detail).toContain('critical-care-grant');
    expect(issues[0]!.detail).toContain(FENGXIANG);
  });

  it('the Shanxi grant on empty content: exactly its fields, documents, consent and the village', () => {
    const pack = builtinPack(SHANXI);
    expect(checkFiling(pack, 'critical-care-grant', emptyContent(), TODAY)).toEqual([
      { path: 'fields.grantDisease', code: 'required', detail: expect.any(String) },
      { path: 'fields.lateStage', code: 'required', detail: expect.any(String) },
      { path: 'fields.diagnosisDate', code: 'required', detail: expect.any(String) },
      { path: 'fields.payee', code: 'required', detail: expect.any(String) },
      { path: 'documents.id-card', code: 'required', detail: expect.stringContaining('ID card'), need: 1, have: 0 },
      { path: 'documents.diagnosis', code: 'required', detail: expect.stringContaining('Diagnosis certificate'), need: 1, have: 0 },
      { path: 'documents.application', code: 'required', detail: expect.stringContaining('Personal application'), need: 1, have: 0 },
      { path: 'consent', code: 'required', detail: expect.any(String) },
      { path: 'villageConfirmation', code: 'required', detail: expect.any(String) },
    ]);
  });

  it('a filing without any fields key or documents array is still checked, not thrown on', () => {
    const pack = builtinPack(FENGXIANG);
    const c = { ...emptyContent(), fields: undefined, documents: undefined } as unknown as FilingContent;
    expect(brief(checkFiling(pack, 'chronic-certification', c, TODAY)).map((i) => i.path)).toEqual([
      'fields.disease',
      'fields.diagnosisDate',
      'documents.id-card',
      'documents.medical-record',
      'consent',
    ]);
  });

  it('a padded admission date is accepted as a date, and so still bounds the discharge', () => {
    // Every field is checked trimmed, so " 2017-08-20 " is a valid admission date; the discharge
    // ten days earlier must then be refused as before admission, as it is without the spaces.
    const pack = builtinPack(SHANXI);
    const type = filingType(pack, 'out-of-county')!;
    const plain = validContent(pack, type, { fields: { admissionDate: '2017-08-20', dischargeDate: '2017-08-10' } });
    expect(brief(checkFiling(pack, type.id, plain, TODAY))).toEqual([{ path: 'fields.dischargeDate', code: 'invalid' }]);
    const padded = validContent(pack, type, { fields: { admissionDate: ' 2017-08-20 ', dischargeDate: '2017-08-10' } });
    expect(brief(checkFiling(pack, type.id, padded, TODAY))).toEqual([{ path: 'fields.dischargeDate', code: 'invalid' }]);
  });

  for (const packId of builtinPackIds()) {
    const pack = builtinPack(packId);
    for (const type of pack.filings) {
      describe(`${packId} ${type.id}`, () => {
        it('empty content: every required field and document, consent, the village where it starts there, nothing else', () => {
          const expected = [
            ...type.fields.filter((f) => f.required).map((f) => ({ path: `fields.${f.id}`, code: 'required' })),
            ...type.documents.filter((d) => d.required).map((d) => ({ path: `documents.${d.id}`, code: 'required' })),
            { path: 'consent', code: 'required' },
            ...(type.review[0]!.level === 'village' ? [{ path: 'villageConfirmation', code: 'required' }] : []),
          ];
          const issues = checkFiling(pack, type.id, emptyContent(), TODAY);
          expect(brief(issues)).toEqual(expected);
          for (const i of issues.filter((x) => x.path.startsWith('documents.'))) {
            const d = type.documents.find((x) => `documents.${x.id}` === i.path)!;
            expect([i.need, i.have]).toEqual([d.min ?? 1, 0]);
          }
          // The same with today unknown.
          expect(brief(checkFiling(pack, type.id, emptyContent()))).toEqual(expected);
        });

        it('complete content gives no issue (every field, or only the required ones)', () => {
          expect(checkFiling(pack, type.id, validContent(pack, type), TODAY)).toEqual([]);
          expect(checkFiling(pack, type.id, validContent(pack, type, { requiredOnly: true }), TODAY)).toEqual([]);
          expect(checkFiling(pack, type.id, validContent(pack, type))).toEqual([]);
        });

        it('consent given by a photo of the signed form is as good as a signature', () => {
          const c = validContent(pack, type);
          c.consent = { ...c.consent!, method: 'photo', signer: '张三之子 张小三' };
          expect(checkFiling(pack, type.id, c, TODAY)).toEqual([]);
        });

        for (const f of type.fields) {
          it(`fields.${f.id}: ${f.required ? 'required' : 'optional'}`, () => {
            for (const blank of [undefined, '', '   ']) {
              const c = validContent(pack, type);
              if (blank === undefined) delete c.fields[f.id];
              else c.fields[f.id] = blank;
              const issues = checkFiling(pack, type.id, c, TODAY);
              const claimField = type.estimate && CLAIM_FIELDS.includes(f.id);
              // A required claim field missing: the estimate is not asked for again but stays stale.
              expect(withoutEstimate(issues)).toEqual(f.required ? [{ path: `fields.${f.id}`, code: 'required' }] : []);
              if (!claimField) expect(issues.filter((i) => i.path === 'estimate')).toEqual([]);
            }
          });

          for (const bad of badValues(pack, type, f.id)) {
            it(`fields.${f.id} invalid: ${bad.label}`, () => {
              const c = validContent(pack, type);
              c.fields[f.id] = bad.value;
              Object.assign(c.fields, bad.patch ?? {});
              const issues = checkFiling(pack, type.id, c, TODAY);
              expect(withoutEstimate(issues)).toEqual(bad.expect);
              expect(issues[0]!.detail).toMatch(bad.detail);
              // The estimate was made on the valid values: a changed claim field makes it stale.
              const stale = type.estimate && CLAIM_FIELDS.includes(f.id);
              expect(brief(issues).filter((i) => i.path === 'estimate')).toEqual(stale ? [{ path: 'estimate', code: 'stale' }] : []);
            });
          }

          it(`fields.${f.id} accepts other valid values`, () => {
            for (const v of goodValues(pack, type, f.id)) {
              const c = validContent(pack, type, { fields: { [f.id]: v } });
              expect({ v, issues: checkFiling(pack, type.id, c, TODAY) }).toEqual({ v, issues: [] });
            }
          });
        }

        if (type.fields.some((f) => f.id === 'dischargeDate') && type.fields.some((f) => f.id === 'admissionDate')) {
          it('an admission after the discharge is reported on the discharge date', () => {
            const c = validContent(pack, type);
            c.fields.admissionDate = addDays(c.fields.dischargeDate!, 1);
            const issues = checkFiling(pack, type.id, c, TODAY);
            expect(brief(issues)).toEqual([{ path: 'fields.dischargeDate', code: 'invalid' }]);
            expect(issues[0]!.detail).toMatch(/discharge before admission/);
          });
        }

        const dated = type.fields.filter((f) => ['admissionDate', 'dischargeDate', 'diagnosisDate'].includes(f.id));
        if (dated.length > 0) {
          it('future dates are refused only when today is given', () => {
            for (const f of dated) {
              const future = addDays(TODAY, 400);
              const c = validContent(pack, type, { fields: { [f.id]: future, ...(f.id === 'admissionDate' && type.fields.some((x) => x.id === 'dischargeDate') ? { dischargeDate: future } : {}) } });
              expect(checkFiling(pack, type.id, c)).toEqual([]);
              expect(brief(checkFiling(pack, type.id, c, TODAY)).map((i) => i.path)).toContain(`fields.${f.id}`);
            }
          });
        }

        it('a field key the type does not have is unknown', () => {
          const foreign = FILING_FIELD_IDS.find((id) => !type.fields.some((f) => f.id === id))!;
          for (const key of [foreign, 'bloodType']) {
            const c = validContent(pack, type);
            (c.fields as Record<string, string>)[key] = 'x';
            const issues = checkFiling(pack, type.id, c, TODAY);
            expect(brief(issues)).toEqual([{ path: `fields.${key}`, code: 'unknown' }]);
            expect(issues[0]!.detail).toContain(key);
          }
        });

        for (const d of type.documents) {
          it(`documents.${d.id}: missing is reported with need and have`, () => {
            const c = validContent(pack, type);
            c.documents = c.documents.filter((x) => x.kind !== d.id);
            const issues = checkFiling(pack, type.id, c, TODAY);
            expect(issues).toEqual(d.required ? [{ path: `documents.${d.id}`, code: 'required', detail: expect.stringContaining(d.en), need: d.min ?? 1, have: 0 }] : []);
          });
        }

        it('a document of a kind the type does not have is invalid at its index', () => {
          const other = pack.filings.flatMap((t) => t.documents.map((x) => x.id)).find((k) => !type.documents.some((x) => x.id === k));
          for (const kind of ['passport', ...(other ? [other] : [])]) {
            const c = validContent(pack, type);
            c.documents.push(doc(kind));
            const issues = checkFiling(pack, type.id, c, TODAY);
            expect(brief(issues)).toEqual([{ path: `documents[${c.documents.length - 1}]`, code: 'invalid' }]);
            expect(issues[0]!.detail).toContain(kind);
          }
        });

        it('a photo of the wrong type, size or hash is invalid at its index', () => {
          const defects: [string, Partial<DocumentRef>, RegExp][] = [
            ['a PDF', { mime: 'application/pdf' }, /image type/],
            ['a GIF', { mime: 'image/gif' }, /image type/],
            ['over 5 MB', { size: MAX_PHOTO_BYTES + 1 }, /size/],
            ['empty', { size: 0 }, /size/],
            ['a fractional size', { size: 1.5 }, /size/],
            ['an upper-case hash', { sha256: 'ABCDEF'.padEnd(64, 'A') }, /sha256/],
            ['a 63-digit hash', { sha256: 'a'.repeat(63) }, /sha256/],
            ['a non-hex hash', { sha256: 'g'.repeat(64) }, /sha256/],
            ['no id', { id: '' }, /id/],
          ];
          for (const [label, over, detail] of defects) {
            const c = validContent(pack, type);
            c.documents[0] = { ...c.documents[0]!, ...over };
            const issues = checkFiling(pack, type.id, c, TODAY);
            expect({ label, issues: brief(issues) }).toEqual({ label, issues: [{ path: 'documents[0]', code: 'invalid' }] });
            expect(issues[0]!.detail).toMatch(detail);
          }
          // The limits themselves are fine.
          for (const over of [{ size: MAX_PHOTO_BYTES }, { size: 1 }, { mime: 'image/webp' }, { mime: 'image/png' }, { sha256: 'e'.repeat(64) }]) {
            const c = validContent(pack, type);
            c.documents[0] = { ...c.documents[0]!, ...over };
            expect(checkFiling(pack, type.id, c, TODAY)).toEqual([]);
          }
        });

        it('a duplicate document id is invalid at the second occurrence', () => {
          const c = validContent(pack, type);
          c.documents[1] = { ...c.documents[1]!, id: c.documents[0]!.id };
          expect(brief(checkFiling(pack, type.id, c, TODAY))).toEqual([{ path: 'documents[1]', code: 'invalid' }]);
        });

        it(`more than ${MAX_DOCUMENTS} photos is invalid at "documents"`, () => {
          const c = validContent(pack, type);
          while (c.documents.length < MAX_DOCUMENTS) c.documents.push(doc(type.documents[0]!.id));
          expect(checkFiling(pack, type.id, c, TODAY)).toEqual([]);
          c.documents.push(doc(type.documents[0]!.id));
          expect(brief(checkFiling(pack, type.id, c, TODAY))).toEqual([{ path: 'documents', code: 'invalid' }]);
        });

        it('consent: missing, naming no consent document, or incomplete', () => {
          const missing = validContent(pack, type);
          missing.consent = null;
          expect(brief(checkFiling(pack, type.id, missing, TODAY))).toEqual([{ path: 'consent', code: 'required' }]);

          const bad: [string, (c: FilingContent) => void][] = [
            ['a hash of no document', (c) => void (c.consent!.sha256 = 'f'.repeat(64))],
            ['the hash of a non-consent document', (c) => void (c.consent!.sha256 = c.documents[0]!.sha256)],
            ['the consent photo removed', (c) => void (c.documents = c.documents.filter((d) => d.kind !== CONSENT_KIND))],
            ['no signer', (c) => void (c.consent!.signer = '  ')],
            ['an unknown method', (c) => void ((c.consent as { method: string }).method = 'fax')],
          ];
          for (const [label, mutate] of bad) {
            const c = validContent(pack, type);
            mutate(c);
            expect({ label, issues: brief(checkFiling(pack, type.id, c, TODAY)) }).toEqual({ label, issues: [{ path: 'consent', code: 'invalid' }] });
          }
        });

        if (needsVillageConfirmation(type)) {
          it('the village committee confirmation: required, with who and a date not in the future', () => {
            const bad: [string, FilingContent['villageConfirmation'], FilingIssue['code']][] = [
              ['missing', null, 'required'],
              ['no name', { by: ' ', date: TODAY }, 'invalid'],
              ['not a date', { by: '王主任', date: '2024-13-01' }, 'invalid'],
              ['in the future', { by: '王主任', date: addDays(TODAY, 1) }, 'invalid'],
            ];
            for (const [label, vc, code] of bad) {
              const c = validContent(pack, type);
              c.villageConfirmation = vc;
              expect({ label, issues: brief(checkFiling(pack, type.id, c, TODAY)) }).toEqual({ label, issues: [{ path: 'villageConfirmation', code }] });
            }
            const future = validContent(pack, type);
            future.villageConfirmation = { by: '王主任', date: addDays(TODAY, 1) };
            expect(checkFiling(pack, type.id, future)).toEqual([]);
          });
        } else {
          it('no village confirmation is asked for (one given is ignored)', () => {
            const c = validContent(pack, type);
            c.villageConfirmation = { by: '', date: 'not a date' };
            expect(checkFiling(pack, type.id, c, TODAY)).toEqual([]);
          });
        }

        if (type.estimate) {
          it('estimate: required once the claim fields are valid', () => {
            const c = validContent(pack, type);
            c.estimate = null;
            expect(brief(checkFiling(pack, type.id, c, TODAY))).toEqual([{ path: 'estimate', code: 'required' }]);
            c.fields.total = '12000.001';
            expect(brief(checkFiling(pack, type.id, c, TODAY))).toEqual([{ path: 'fields.total', code: 'invalid' }]);
          });

          it('estimate: stale when the costs, date, facility or pack differ from the fields', () => {
            const changes: [string, (c: FilingContent) => void][] = [
              ['total', (c) => void (c.fields.total = '12000.10')],
              ['out-of-catalogue', (c) => void (c.fields.outOfCatalog = '2999.99')],
              ['discharge date', (c) => void (c.fields.dischargeDate = addDays(c.fields.dischargeDate!, 1))],
              ['facility class', (c) => void (c.fields.facility = `c:${pack.classes[1]!.id}`)],
              ['estimate total', (c) => void (c.estimate!.claim.total += 1)],
              ['estimate pack', (c) => void (c.estimate!.packId = 'CN-999999-2020')],
              ['estimate pack content (an earlier version of the pack)', (c) => void (c.estimate!.packHash = '0'.repeat(64))],
            ];
            for (const [label, mutate] of changes) {
              const c = validContent(pack, type);
              mutate(c);
              const issues = checkFiling(pack, type.id, c, TODAY);
              expect({ label, issues: brief(issues) }).toEqual({ label, issues: [{ path: 'estimate', code: 'stale' }] });
              expect(issues[0]!.detail).toMatch(/estimate again/);
            }
          });

          it('estimate: a named facility matches the estimate made on its class', () => {
            const f = pack.facilities[pack.facilities.length - 1]!;
            const c = validContent(pack, type, { fields: { facility: `f:${f.id}` } });
            expect(c.estimate!.claim.facilityClass).toBe(pack.classes[f.classIndex]!.id);
            expect(checkFiling(pack, type.id, c, TODAY)).toEqual([]);
          });
        } else {
          it('no estimate is asked for', () => {
            const c = validContent(pack, type);
            expect(c.estimate).toBeNull();
            expect(brief(checkFiling(pack, type.id, c, TODAY)).some((i) => i.path === 'estimate')).toBe(false);
          });
        }
      });
    }
  }
});

describe('checkFiling with document counts (min)', () => {
  for (const json of BUILTIN_PACK_JSON) {
    const raw = clone(json) as PackJson;
    delete raw.hash;
    for (const t of raw.filings ?? []) {
      t.documents.forEach((d, i) => {
        d.min = 2;
        if (i === t.documents.length - 1 && t.documents.length > 1) d.required = false;
      });
    }
    const pack = compilePack(raw);
    for (const type of pack.filings) {
      it(`${pack.id} ${type.id}: one photo short of min is too-few, with need and have`, () => {
        expect(checkFiling(pack, type.id, validContent(pack, type), TODAY)).toEqual([]);
        for (const d of type.documents) {
          expect(d.min).toBe(2);
          const c = validContent(pack, type);
          const i = c.documents.findIndex((x) => x.kind === d.id);
          c.documents.splice(i, 1);
          const issues = checkFiling(pack, type.id, c, TODAY);
          if (!d.required) {
            expect(issues).toEqual([]);
            continue;
          }
          expect(issues).toEqual([{ path: `documents.${d.id}`, code: 'too-few', detail: expect.stringContaining('at least 2'), need: 2, have: 1 }]);
          c.documents = c.documents.filter((x) => x.kind !== d.id);
          expect(checkFiling(pack, type.id, c, TODAY)).toEqual([{ path: `documents.${d.id}`, code: 'required', detail: expect.stringContaining(d.en), need: 2, have: 0 }]);
        }
      });
    }
  }

  it('an invalid photo still counts towards min, and is reported on its own', () => {
    const pack = builtinPack(SHANXI);
    const type = filingType(pack, 'critical-care-grant')!;
    const c = validContent(pack, type);
    c.documents[0] = { ...c.documents[0]!, mime: 'image/tiff' };
    expect(brief(checkFiling(pack, type.id, c, TODAY))).toEqual([{ path: 'documents[0]', code: 'invalid' }]);
  });
});

// ---------------------------------------------------------------------------------------------

function submission(pack: CompiledPack, typeId: string): FilingSubmission {
  const type = filingType(pack, typeId)!;
  return {
    id: `01J0FILING${typeId.toUpperCase().replace(/-/g, '')}`.slice(0, 26),
    memberId: 'm1',
    householdId: 'h1',
    villageId: 'v1',
    packId: pack.id,
    type: typeId,
    version: 1,
    content: validContent(pack, type),
    createdAt: '2024-06-29T10:00:00.000Z',
  };
}

function workflowError(f: () => unknown): WorkflowError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WorkflowError);
    return e as WorkflowError;
  }
  throw new Error('no WorkflowError');
}

/** applyReview that also checks the input record is left as it was. */
function act(pack: CompiledPack, r: FilingRecord, actor: Actor, a: ReviewAction, now = LATER): FilingRecord {
  const before = structuredClone(r);
  try {
    return applyReview(pack, r, VILLAGE, actor, a, now);
  } finally {
    expect(r).toEqual(before);
  }
}

describe('the review workflow: Shanxi critical-care grant', () => {
  const pack = builtinPack(SHANXI);
  const type = filingType(pack, 'critical-care-grant')!;
  const fresh = () => submittedRecord(pack, submission(pack, 'critical-care-grant'), DOCTOR, NOW);

  it('a submission is stored at the first server stage, version 1', () => {
    const s = submission(pack, 'critical-care-grant');
    const r = submittedRecord(pack, s, DOCTOR, NOW);
    expect(r).toMatchObject({ id: s.id, memberId: 'm1', householdId: 'h1', villageId: 'v1', packId: SHANXI, type: 'critical-care-grant', status: 'submitted', stage: 'township', version: 1, amount: null, createdAt: s.createdAt, updatedAt: NOW });
    expect(r.versions).toEqual([{ version: 1, content: s.content, submittedAt: NOW, by: 'doc1' }]);
    expect(r.events).toEqual([{ at: NOW, action: 'submitted', stage: 'township', version: 1, by: 'doc1', byName: '赵医生', role: 'village-doctor' }]);
    expect(currentStage(type, r)).toMatchObject({ index: 0, final: false, stage: { id: 'township', level: 'township' } });
  });

  it('township receives and approves → in review at civil affairs; county approves 5,000 by default, then pays', () => {
    let r = fresh();
    expect(mayAct(TOWNSHIP, type, r, VILLAGE)).toBe(true);
    expect(mayAct(COUNTY, type, r, VILLAGE)).toBe(false);

    r = act(pack, r, TOWNSHIP, { action: 'receive' });
    expect([r.status, r.stage]).toEqual(['received', 'township']);
    expect(r.events.at(-1)).toEqual({ at: LATER, action: 'received', stage: 'township', version: 1, by: 'town1', byName: '钱审核', role: 'township-reviewer' });

    r = act(pack, r, TOWNSHIP, { action: 'approve' });
    expect([r.status, r.stage, r.amount]).toEqual(['in-review', 'civil-affairs', null]);
    expect(r.events.at(-1)).toMatchObject({ action: 'advanced', stage: 'township', by: 'town1' });
    expect(r.updatedAt).toBe(LATER);

    // The township has done its part.
    const e = workflowError(() => act(pack, r, TOWNSHIP, { action: 'approve' }));
    expect(e.code).toBe('forbidden');
    expect(mayAct(TOWNSHIP, type, r, VILLAGE)).toBe(false);
    expect(mayAct(COUNTY, type, r, VILLAGE)).toBe(true);
    // Received happens only at the first arrival.
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'receive' })).code).toBe('wrong-status');
    expect(workflowError(() => act(pack, r, OTHER_COUNTY, { action: 'approve' })).code).toBe('forbidden');

    r = act(pack, r, COUNTY, { action: 'approve' });
    expect([r.status, r.stage, r.amount]).toEqual(['approved', 'civil-affairs', 500000]);
    expect(r.events.at(-1)).toMatchObject({ action: 'approved', stage: 'civil-affairs', amount: 500000, by: 'county1', role: 'county-reviewer' });
    expect(mayAct(COUNTY, type, r, VILLAGE)).toBe(true);
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'approve' })).code).toBe('wrong-status');
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'pay', paidOn: '2024-07-03' }, LATER)).field).toBe('paidOn');
    // 20:00 UTC is already the next morning in China: a payment dated that local day is taken.
    expect(act(pack, r, COUNTY, { action: 'pay', paidOn: '2024-07-03' }, '2024-07-02T20:00:00.000Z').status).toBe('paid');
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'pay', paidOn: '2024/07/01' })).field).toBe('paidOn');
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'pay', paidOn: '2024-07-01', reference: 'x'.repeat(101) })).field).toBe('reference');

    r = act(pack, r, COUNTY, { action: 'pay', paidOn: '2024-07-02', reference: ' BANK-0001 ' });
    expect([r.status, r.amount]).toEqual(['paid', 500000]);
    expect(r.events.at(-1)).toEqual({ at: LATER, action: 'paid', stage: 'civil-affairs', version: 1, by: 'county1', byName: '李科长', role: 'county-reviewer', amount: 500000, paidOn: '2024-07-02', reference: 'BANK-0001' });
    expect(r.events.map((x) => x.action)).toEqual(['submitted', 'received', 'advanced', 'approved', 'paid']);
    expect(mayAct(COUNTY, type, r, VILLAGE)).toBe(false);
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'pay', paidOn: '2024-07-02' })).code).toBe('wrong-status');
  });

  it('the county may approve another amount; zero, negative or fractional fen are refused', () => {
    let r = act(pack, fresh(), TOWNSHIP, { action: 'approve' });
    for (const amount of [0, -100, 1.5, Number.NaN]) {
      const e = workflowError(() => act(pack, r, COUNTY, { action: 'approve', amount }));
      expect([e.code, e.field]).toEqual(['invalid', 'amount']);
    }
    r = act(pack, r, COUNTY, { action: 'approve', amount: 300000 });
    expect([r.status, r.amount]).toEqual(['approved', 300000]);
  });

  it('reviewers of another township, the wrong role, or the village doctor may not act', () => {
    const r = fresh();
    for (const actor of [OTHER_TOWNSHIP, COUNTY, DOCTOR, { ...TOWNSHIP, role: 'admin' as const }]) {
      for (const a of [{ action: 'receive' }, { action: 'approve' }, { action: 'return', reason: '缺材料' }] as ReviewAction[]) {
        expect(workflowError(() => act(pack, r, actor, a)).code).toBe('forbidden');
      }
      expect(mayAct(actor, type, r, VILLAGE)).toBe(false);
    }
    expect(canActAt(OTHER_TOWNSHIP, 'township', VILLAGE)).toBe(false);
    expect(canActAt(TOWNSHIP, 'township', VILLAGE)).toBe(true);
    expect(canActAt(TOWNSHIP, 'township', '141129101001')).toBe(false);
    expect(canActAt({ role: 'township-reviewer', areas: ['141129101', TOWNSHIP_AREA] }, 'township', VILLAGE)).toBe(true);
    expect(canActAt(COUNTY, 'village', VILLAGE)).toBe(false);
  });

  it('return needs a reason; the returned filing comes back as version 2 at the same stage', () => {
    const r0 = act(pack, fresh(), TOWNSHIP, { action: 'approve' });
    for (const reason of ['', '   ', undefined, 'x'.repeat(MAX_TEXT + 1)]) {
      const e = workflowError(() => act(pack, r0, COUNTY, { action: 'return', reason } as ReviewAction));
      expect([e.code, e.field]).toEqual(['invalid', 'reason']);
    }
    const returned = act(pack, r0, COUNTY, { action: 'return', reason: '  诊断书不清晰，请重拍  ' });
    expect([returned.status, returned.stage]).toEqual(['returned', 'civil-affairs']);
    expect(returned.events.at(-1)).toMatchObject({ action: 'returned', stage: 'civil-affairs', reason: '诊断书不清晰，请重拍' });
    expect(lastReason(returned)).toBe('诊断书不清晰，请重拍');
    expect(lastReason(r0)).toBeNull();
    // Nothing but a resubmission moves a returned filing.
    for (const a of [{ action: 'approve' }, { action: 'reject', reason: 'x' }, { action: 'return', reason: 'x' }] as ReviewAction[]) {
      expect(workflowError(() => act(pack, returned, COUNTY, a)).code).toBe('wrong-status');
    }
    expect(mayAct(COUNTY, type, returned, VILLAGE)).toBe(false);

    const content = validContent(pack, type, { fields: { note: '已重拍诊断书' } });
    expect(workflowError(() => resubmittedRecord(returned, { version: 3, content }, DOCTOR, LATER)).field).toBe('version');
    const before = structuredClone(returned);
    const again = resubmittedRecord(returned, { version: 2, content }, DOCTOR, '2024-07-05T08:00:00.000Z');
    expect(returned).toEqual(before);
    expect([again.status, again.stage, again.version]).toEqual(['submitted', 'civil-affairs', 2]);
    expect(again.content).toEqual(content);
    expect(again.versions.map((v) => [v.version, v.content.fields.note])).toEqual([
      [1, '家属代为办理'],
      [2, '已重拍诊断书'],
    ]);
    expect(again.events.at(-1)).toEqual({ at: '2024-07-05T08:00:00.000Z', action: 'resubmitted', stage: 'civil-affairs', version: 2, by: 'doc1', byName: '赵医生', role: 'village-doctor' });

    // Back at civil affairs: the county receives and approves it.
    const received = act(pack, again, COUNTY, { action: 'receive' }, '2024-07-06T08:00:00.000Z');
    expect(received.events.at(-1)).toMatchObject({ action: 'received', version: 2 });
    const approved = act(pack, received, COUNTY, { action: 'approve' }, '2024-07-06T08:00:00.000Z');
    expect([approved.status, approved.amount]).toEqual(['approved', 500000]);
  });

  it('only a returned filing can be resubmitted', () => {
    const content = validContent(pack, type);
    let r = fresh();
    const steps: [string, (x: FilingRecord) => FilingRecord][] = [
      ['submitted', (x) => x],
      ['received', (x) => act(pack, x, TOWNSHIP, { action: 'receive' })],
      ['in-review', (x) => act(pack, x, TOWNSHIP, { action: 'approve' })],
      ['approved', (x) => act(pack, x, COUNTY, { action: 'approve' })],
      ['paid', (x) => act(pack, x, COUNTY, { action: 'pay', paidOn: '2024-07-01' })],
    ];
    for (const [status, step] of steps) {
      r = step(r);
      expect(r.status).toBe(status);
      expect(workflowError(() => resubmittedRecord(r, { version: r.version + 1, content }, DOCTOR, LATER)).code).toBe('wrong-status');
    }
    const rejected = act(pack, fresh(), TOWNSHIP, { action: 'reject', reason: '不符合条件' });
    expect(workflowError(() => resubmittedRecord(rejected, { version: 2, content }, DOCTOR, LATER)).code).toBe('wrong-status');
  });

  it('reject is terminal', () => {
    const rejected = act(pack, fresh(), TOWNSHIP, { action: 'reject', reason: '非建档立卡贫困人口' });
    expect([rejected.status, rejected.stage, rejected.amount]).toEqual(['rejected', 'township', null]);
    expect(lastReason(rejected)).toBe('非建档立卡贫困人口');
    expect(workflowError(() => act(pack, rejected, TOWNSHIP, { action: 'reject' } as ReviewAction)).code).toBe('wrong-status');
    for (const a of [{ action: 'receive' }, { action: 'approve' }, { action: 'return', reason: 'x' }, { action: 'reject', reason: 'x' }, { action: 'pay', paidOn: '2024-07-01' }] as ReviewAction[]) {
      expect(workflowError(() => act(pack, rejected, TOWNSHIP, a)).code).toBe('wrong-status');
    }
    expect(mayAct(TOWNSHIP, type, rejected, VILLAGE)).toBe(false);
  });

  it('receive only from submitted', () => {
    const received = act(pack, fresh(), TOWNSHIP, { action: 'receive' });
    expect(workflowError(() => act(pack, received, TOWNSHIP, { action: 'receive' })).code).toBe('wrong-status');
    // A received filing can still be approved, returned or rejected.
    expect(act(pack, received, TOWNSHIP, { action: 'return', reason: '补充申请书' }).status).toBe('returned');
    expect(act(pack, received, TOWNSHIP, { action: 'reject', reason: '重复申请' }).status).toBe('rejected');
  });

  it('pay before approval is refused', () => {
    const r = act(pack, fresh(), TOWNSHIP, { action: 'approve' });
    expect(workflowError(() => act(pack, r, COUNTY, { action: 'pay', paidOn: '2024-07-01' })).code).toBe('wrong-status');
  });

  it('an unknown action and a record at no stage are invalid', () => {
    const r = fresh();
    expect(workflowError(() => act(pack, r, TOWNSHIP, { action: 'escalate' } as unknown as ReviewAction))).toMatchObject({ code: 'invalid', field: 'action' });
    expect(workflowError(() => act(pack, { ...r, stage: 'village' }, TOWNSHIP, { action: 'approve' })).code).toBe('invalid');
    expect(workflowError(() => act(pack, { ...r, type: 'nope' }, TOWNSHIP, { action: 'approve' })).code).toBe('invalid');
  });
});

describe('the review workflow: other outcomes', () => {
  it('Shanxi out-of-county (an amount, no grant): the county must give the amount', () => {
    const pack = builtinPack(SHANXI);
    const r = submittedRecord(pack, submission(pack, 'out-of-county'), DOCTOR, NOW);
    expect(r.stage).toBe('one-stop');
    expect(workflowError(() => act(pack, r, TOWNSHIP, { action: 'approve', amount: 100 })).code).toBe('forbidden');
    const e = workflowError(() => act(pack, r, COUNTY, { action: 'approve' }));
    expect([e.code, e.field]).toEqual(['invalid', 'amount']);
    const approved = act(pack, r, COUNTY, { action: 'approve', amount: 843210 });
    expect([approved.status, approved.amount]).toEqual(['approved', 843210]);
    const paid = act(pack, approved, COUNTY, { action: 'pay', paidOn: '2024-07-02' });
    expect(paid.events.at(-1)).toMatchObject({ action: 'paid', amount: 843210, paidOn: '2024-07-02' });
    expect(paid.events.at(-1)).not.toHaveProperty('reference');
  });

  it('Fengxiang chronic certification (a decision): approved with no amount, never paid', () => {
    const pack = builtinPack(FENGXIANG);
    const type = filingType(pack, 'chronic-certification')!;
    const r = submittedRecord(pack, submission(pack, 'chronic-certification'), DOCTOR, NOW);
    expect(r.stage).toBe('county-doctors');
    const approved = act(pack, r, COUNTY, { action: 'approve', amount: 5000 });
    expect([approved.status, approved.amount]).toEqual(['approved', null]);
    expect(approved.events.at(-1)).not.toHaveProperty('amount');
    expect(mayAct(COUNTY, type, approved, VILLAGE)).toBe(false);
    expect(workflowError(() => act(pack, approved, COUNTY, { action: 'pay', paidOn: '2024-07-01' })).code).toBe('wrong-status');
  });

  for (const packId of builtinPackIds()) {
    const pack = builtinPack(packId);
    for (const type of pack.filings) {
      it(`${packId} ${type.id}: each server stage's reviewer approves in turn`, () => {
        let r = submittedRecord(pack, submission(pack, type.id), DOCTOR, NOW);
        const stages = serverStages(type);
        expect(stages.length).toBeGreaterThan(0);
        expect(r.stage).toBe(stages[0]!.id);
        stages.forEach((s, i) => {
          const reviewer = REVIEWER_AT[s.level as 'township' | 'county'];
          const wrong = s.level === 'township' ? COUNTY : TOWNSHIP;
          expect(workflowError(() => act(pack, r, wrong, { action: 'approve', amount: 100 })).code).toBe('forbidden');
          expect(mayAct(reviewer, type, r, VILLAGE)).toBe(true);
          const amount = type.outcome === 'amount' && !type.grant ? 123456 : undefined;
          r = act(pack, r, reviewer, amount === undefined ? { action: 'approve' } : { action: 'approve', amount });
          if (i < stages.length - 1) {
            expect([r.status, r.stage]).toEqual(['in-review', stages[i + 1]!.id]);
          } else {
            const expected = type.outcome === 'decision' ? null : type.grant ? grantOf(pack, type).amount.v : 123456;
            expect([r.status, r.stage, r.amount]).toEqual(['approved', s.id, expected]);
          }
        });
        if (type.outcome === 'amount') {
          const last = REVIEWER_AT[stages.at(-1)!.level as 'township' | 'county'];
          expect(act(pack, r, last, { action: 'pay', paidOn: TODAY }).status).toBe('paid');
        } else {
          expect(workflowError(() => act(pack, r, COUNTY, { action: 'pay', paidOn: TODAY })).code).toBe('wrong-status');
        }
        expect(r.events.map((e) => e.action)).toEqual(['submitted', ...stages.slice(1).map(() => 'advanced'), 'approved']);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------

type RawFiling = Record<string, unknown> & { fields: Record<string, unknown>[]; documents: Record<string, unknown>[]; review: Record<string, unknown>[] };

function packJson(id: string): PackJson & { filings: RawFiling[] } {
  const j = clone(BUILTIN_PACK_JSON.find((p) => p.id === id)!) as PackJson & { filings: RawFiling[] };
  delete j.hash;
  return j;
}

function refusal(id: string, mutate: (filings: RawFiling[], json: PackJson) => void): { code: string; path: string; message: string } {
  const j = packJson(id);
  mutate(j.filings, j);
  try {
    compilePack(j);
  } catch (e) {
    expect(e).toBeInstanceOf(RulesError);
    return (e as RulesError).toJSON();
  }
  throw new Error('pack accepted');
}

describe('compilePack refuses bad filing definitions', () => {
  it('the clones without their hash compile to the same filings', () => {
    for (const id of builtinPackIds()) expect(compilePack(packJson(id)).filings).toEqual(builtinPack(id).filings);
  });

  it('a pack without filings has none', () => {
    const j = packJson(FENGXIANG) as PackJson;
    delete j.filings;
    expect(compilePack(j).filings).toEqual([]);
  });

  // Shanxi filings: 0 out-of-county, 1 critical-care-grant, 2 medical-assistance, 3 chronic-certification, 4 out-of-area-registration.
  const cases: [string, string, (f: RawFiling[], j: PackJson) => void, string, RegExp][] = [
    ['filings not an array', SHANXI, (_f, j) => void ((j as unknown as Record<string, unknown>).filings = {}), 'pack.filings', /array/],
    ['unknown kind', SHANXI, (f) => void (f[1]!.kind = 'housing-grant'), 'pack.filings[1].kind', /unknown filing kind/],
    ['unknown field id', SHANXI, (f) => void (f[1]!.fields[3]!.id = 'bankAccount'), 'pack.filings[1].fields[3].id', /bankAccount/],
    ['duplicate field', FENGXIANG, (f) => void f[0]!.fields.push({ id: 'disease', required: false }), 'pack.filings[0].fields[4].id', /duplicate field/],
    ['field required not a boolean', FENGXIANG, (f) => void (f[0]!.fields[1]!.required = 'yes'), 'pack.filings[0].fields[1].required', /boolean/],
    ['duplicate type id', SHANXI, (f) => void (f[2]!.id = 'out-of-county'), 'pack.filings[2].id', /duplicate filing type/],
    ['unknown key on a type', SHANXI, (f) => void (f[0]!.deadline = 30), 'pack.filings[0].deadline', /unknown field "deadline"/],
    ['a village stage not first', SHANXI, (f) => void f[1]!.review.reverse(), 'pack.filings[1].review[2].level', /only come first/],
    [
      'a village stage second',
      SHANXI,
      (f) => void f[2]!.review.splice(1, 0, { id: 'village', 'zh-CN': '村委会确认', en: 'Village', level: 'village', office: { 'zh-CN': '村委会', en: 'Village committee' } }),
      'pack.filings[2].review[1].level',
      /only come first/,
    ],
    ['no server stage', SHANXI, (f) => void f[1]!.review.splice(1), 'pack.filings[1].review', /township or county stage/],
    ['an empty review path', FENGXIANG, (f) => void (f[1]!.review = []), 'pack.filings[1].review', /township or county stage/],
    ['an unknown level', FENGXIANG, (f) => void (f[0]!.review[0]!.level = 'province'), 'pack.filings[0].review[0].level', /village/],
    ['a duplicate stage', SHANXI, (f) => void (f[1]!.review[2]!.id = 'township'), 'pack.filings[1].review[2].id', /duplicate stage/],
    ['estimate without the claim fields', SHANXI, (f) => void (f[3]!.estimate = true), 'pack.filings[3].estimate', /dischargeDate/],
    ['estimate with an optional out-of-catalogue', SHANXI, (f) => void (f[0]!.fields[4]!.required = false), 'pack.filings[0].estimate', /outOfCatalog/],
    ['estimate without the facility', 'CN-130300-2016', (f) => void f[0]!.fields.splice(2, 1), 'pack.filings[0].estimate', /facility/],
    ['estimate not a boolean', FENGXIANG, (f) => void (f[0]!.estimate = 'no'), 'pack.filings[0].estimate', /boolean/],
    ['grant naming no grant of the pack', SHANXI, (f) => void (f[1]!.grant = 'housing-grant'), 'pack.filings[1].grant', /not a grant of the pack/],
    ['a grant in a pack without grants', FENGXIANG, (f) => void (f[0]!.grant = 'critical-care-grant'), 'pack.filings[0].grant', /not a grant of the pack/],
    ['a grant approving a decision', SHANXI, (f) => void (f[1]!.outcome = 'decision'), 'pack.filings[1].outcome', /amount/],
    ['grantDisease without a grant', SHANXI, (f) => void delete f[1]!.grant, 'pack.filings[1].grant', /grantDisease/],
    ['an unknown outcome', FENGXIANG, (f) => void (f[0]!.outcome = 'money'), 'pack.filings[0].outcome', /amount 或 decision/],
    // out-of-county fields: admissionDate, dischargeDate, facility, total, outOfCatalog, …; without total, outOfCatalog is fields[3].
    ['outOfCatalog without total', SHANXI, (f) => void f[0]!.fields.splice(3, 1), 'pack.filings[0].fields[3].id', /needs the field total/],
    ['lateStage without grantDisease', SHANXI, (f) => void f[1]!.fields.splice(0, 1), 'pack.filings[1].fields[0].id', /needs the field grantDisease/],
    ['no documents', FENGXIANG, (f) => void (f[0]!.documents = []), 'pack.filings[0].documents', /at least one document/],
    ['a document named consent', FENGXIANG, (f) => void (f[0]!.documents[1]!.id = 'consent'), 'pack.filings[0].documents[1].id', /consent/],
    ['a document id with capitals', FENGXIANG, (f) => void (f[0]!.documents[0]!.id = 'IdCard'), 'pack.filings[0].documents[0].id', /lower-case/],
    ['a duplicate document', FENGXIANG, (f) => void (f[0]!.documents[1]!.id = 'id-card'), 'pack.filings[0].documents[1].id', /duplicate document/],
    ['min 0', FENGXIANG, (f) => void (f[0]!.documents[0]!.min = 0), 'pack.filings[0].documents[0].min', /1 to 20/],
    ['min 21', FENGXIANG, (f) => void (f[0]!.documents[1]!.min = 21), 'pack.filings[0].documents[1].min', /1 to 20/],
    ['min fractional', FENGXIANG, (f) => void (f[1]!.documents[0]!.min = 1.5), 'pack.filings[1].documents[0].min', /1 to 20/],
    ['a basis in no document of the pack', FENGXIANG, (f) => void (f[0]!.basis = { doc: 'seed999', quote: 'x' }), 'pack.filings[0].basis.doc', /not among the pack's documents/],
    ['an unknown group', FENGXIANG, (f) => void (f[0]!.groups = ['elderly']), 'pack.filings[0].groups[0]', /unknown group/],
  ];

  for (const [label, id, mutate, path, message] of cases) {
    it(`${label} → ${path}`, () => {
      const e = refusal(id, mutate);
      expect(e.path).toBe(path);
      expect(e.code).toBe('invalid-pack');
      expect(e.message).toMatch(message);
    });
  }
});
