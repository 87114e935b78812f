/**
 * Proxy filing (代报代办): the shapes a filing takes on the tablet and on the county server, what
 * makes one complete, and the review workflow. One definition for both sides: the tablet queues a
 * filing only when `checkFiling` finds nothing missing, and the server refuses one for the same
 * reasons. Filing types (fields, documents, review path) are pack data (src/rules/packs).
 */
import { isIsoDate, normalizeIcd, parseAmount, type CompiledPack, type FilingFieldId, type FilingTypeRule, type Payer, type ReviewLevel } from '../rules/index.ts';
import type { Role } from './sync.ts';

/** What the tablet shows; the server stores only the statuses from "submitted" on. */
export type FilingStatus = 'draft' | 'queued' | 'submitted' | 'received' | 'in-review' | 'returned' | 'approved' | 'paid' | 'rejected';
export type ServerFilingStatus = Exclude<FilingStatus, 'draft' | 'queued'>;
export const FILING_STATUSES: readonly FilingStatus[] = ['draft', 'queued', 'submitted', 'received', 'in-review', 'returned', 'approved', 'paid', 'rejected'];

/** Largest photo the server takes (the tablet compresses to a few hundred KB first). */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];
/** Documents (photos) on one filing, consent included. */
export const MAX_DOCUMENTS = 40;
/** Longest free-text field, characters. */
export const MAX_TEXT = 500;
/** The document kind of the patient's consent (a drawn signature, or a photo of the signed form). */
export const CONSENT_KIND = 'consent';

/** A photo on a filing: content-addressed by its SHA-256 (hex), uploaded once. */
export interface DocumentRef {
  /** ULID made on the device. */
  id: string;
  /** A document id of the filing type, or "consent". */
  kind: string;
  sha256: string;
  size: number;
  mime: string;
}

export interface Consent {
  method: 'signature' | 'photo';
  /** Who signed: the patient, or the relative who signed for them. */
  signer: string;
  /** When consent was given (ISO date-time). */
  at: string;
  /** The consent document's hash (a document of kind "consent"). */
  sha256: string;
}

/** The village committee's confirmation, recorded on the tablet where the path starts at the village. */
export interface VillageConfirmation {
  by: string;
  date: string;
}

/** The engine's estimate attached to a filing that concerns a cost, with the pack it used. */
export interface FilingEstimate {
  packId: string;
  packVersion: string;
  packHash: string;
  /** The claim as settled (fen). */
  claim: { date: string; kind: 'inpatient'; facilityClass: string; total: number; outOfCatalog: number; disease: string | null };
  /** Fen by payer key (basic, critical, …). */
  payers: Record<string, number>;
  patient: number;
  /** Claims of the year settled before this one. */
  priorCount: number;
  computedAt: string;
}

/** What the filer provides: one version of a filing. */
export interface FilingContent {
  /** Field id → the text as entered (amounts in yuan, dates ISO, yes/no for lateStage). */
  fields: Partial<Record<FilingFieldId, string>>;
  documents: DocumentRef[];
  consent: Consent | null;
  villageConfirmation: VillageConfirmation | null;
  estimate: FilingEstimate | null;
}

export type FilingAction = 'submitted' | 'resubmitted' | 'received' | 'advanced' | 'returned' | 'approved' | 'rejected' | 'paid';

/** One step of a filing's history on the server, with who and when. */
export interface FilingEvent {
  at: string;
  action: FilingAction;
  /** The review stage acted at (its id in the type's review path). */
  stage: string | null;
  version: number;
  by: string;
  byName: string;
  role: Role;
  /** Approved or paid amount, fen. */
  amount?: number;
  reason?: string;
  /** Payment: the date paid and the transfer reference. */
  paidOn?: string;
  reference?: string;
}

export interface FilingVersion {
  version: number;
  content: FilingContent;
  submittedAt: string;
  by: string;
}

/** A filing as the server keeps it and the tablet pulls it. */
export interface FilingRecord {
  id: string;
  memberId: string;
  householdId: string;
  villageId: string;
  packId: string;
  /** Filing type id in the pack. */
  type: string;
  status: ServerFilingStatus;
  /** The review stage it is at (or was returned / decided at). */
  stage: string | null;
  version: number;
  /** The current version's content; earlier versions are in `versions`. */
  content: FilingContent;
  versions: FilingVersion[];
  events: FilingEvent[];
  /** Approved amount, fen (null until approved, and for decisions). */
  amount: number | null;
  createdAt: string;
  updatedAt: string;
}

/** What the tablet pushes: a first submission (create) … */
export type FilingSubmission = Pick<FilingRecord, 'id' | 'memberId' | 'householdId' | 'villageId' | 'packId' | 'type' | 'content' | 'createdAt'> & { version: 1 };
/** … or a resubmission of a returned filing (update). */
export interface FilingResubmission {
  version: number;
  content: FilingContent;
}

export interface FilingIssue {
  /** Where: "fields.total", "documents.invoice", "consent", "villageConfirmation", "estimate", "type". */
  path: string;
  code: 'required' | 'invalid' | 'too-few' | 'stale' | 'unknown';
  /** Chinese, then English. */
  detail: string;
  /** For "too-few": how many are needed and how many there are. */
  need?: number;
  have?: number;
}

export const emptyContent = (): FilingContent => ({ fields: {}, documents: [], consent: null, villageConfirmation: null, estimate: null });

export function filingType(pack: CompiledPack, typeId: string): FilingTypeRule | undefined {
  return pack.filings.find((t) => t.id === typeId);
}

/** The stages reviewed on the server (a village committee confirms on the tablet, at filing). */
export function serverStages(type: FilingTypeRule): FilingTypeRule['review'] {
  return type.review.filter((s) => s.level !== 'village');
}

export function needsVillageConfirmation(type: FilingTypeRule): boolean {
  return type.review[0]?.level === 'village';
}

/** Yuan text → fen, or null when it is not a valid amount. */
export function fenOf(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const r = parseAmount(text.trim());
  return 'fen' in r ? r.fen : null;
}

export function facilityClassOf(pack: CompiledPack, facility: string | undefined): string | null {
  if (!facility) return null;
  if (facility.startsWith('c:')) return pack.classIndex.has(facility.slice(2)) ? facility.slice(2) : null;
  if (facility.startsWith('f:')) {
    const f = pack.facilities.find((x) => x.id === facility.slice(2));
    return f ? pack.classes[f.classIndex]!.id : null;
  }
  return null;
}

const HEX64 = /^[0-9a-f]{64}$/;

function checkField(pack: CompiledPack, type: FilingTypeRule, id: FilingFieldId, v: string, fields: FilingContent['fields'], today: string | null): string | null {
  switch (id) {
    case 'admissionDate':
    case 'dischargeDate':
    case 'diagnosisDate':
      if (!isIsoDate(v)) return '应为日期 YYYY-MM-DD (an ISO date)';
      if (today !== null && v > today) return `不能晚于今天 ${today} (cannot be in the future)`;
      if (id === 'dischargeDate') {
        const admitted = fields.admissionDate?.trim();
        if (admitted && isIsoDate(admitted) && v < admitted) return '出院日期不能早于入院日期 (discharge before admission)';
      }
      // The claim's date must fall under the pack that settles it; a diagnosis may be older than the pack.
      if (id === 'dischargeDate' && (v < pack.from || (pack.to !== null && v > pack.to))) {
        return `不在政策 ${pack.id} 的有效期内 (outside the pack's dates ${pack.from}–${pack.to ?? ''})`;
      }
      return null;
    case 'facility':
      return facilityClassOf(pack, v) === null ? '请选择医院或机构级别 (choose a hospital or facility class of the pack)' : null;
    case 'total':
    case 'outOfCatalog': {
      const fen = fenOf(v);
      if (fen === null) return '应为金额（元），最多两位小数 (an amount in yuan, at most two decimals)';
      if (id === 'total' && fen === 0) return '总费用应大于 0 (the total must be more than 0)';
      if (id === 'outOfCatalog') {
        const total = fenOf(fields.total);
        if (total !== null && fen > total) return '目录外费用不能大于总费用 (out-of-catalogue cost exceeds the total)';
      }
      return null;
    }
    case 'disease':
      return normalizeIcd(v) === null ? '应为 ICD-10 诊断编码，如 C34.1 (an ICD-10 code)' : null;
    case 'grantDisease': {
      const g = pack.grants.find((x) => x.id === type.grant);
      return g && g.diseases.some((d) => d.id === v) ? null : '请从所列病种中选择 (choose one of the listed diseases)';
    }
    case 'lateStage':
      return v === 'yes' || v === 'no' ? null : '请选择是或否 (yes or no)';
    default:
      return v.length > MAX_TEXT ? `最多 ${MAX_TEXT} 个字 (at most ${MAX_TEXT} characters)` : null;
  }
}

/**
 * Everything missing or wrong in a filing, in form order: fields, documents, consent, the village
 * committee's confirmation, the estimate. Empty means complete. `today` (ISO) refuses future dates.
 */
export function checkFiling(pack: CompiledPack, typeId: string, c: FilingContent, today: string | null = null): FilingIssue[] {
  const type = filingType(pack, typeId);
  if (!type) return [{ path: 'type', code: 'unknown', detail: `政策 ${pack.id} 没有代办类型 "${typeId}" (no such filing type in the pack)` }];
  const out: FilingIssue[] = [];
  const fields = c.fields ?? {};
  for (const key of Object.keys(fields)) {
    if (!type.fields.some((f) => f.id === key)) out.push({ path: `fields.${key}`, code: 'unknown', detail: `此类代办没有字段 ${key} (not a field of this filing type)` });
  }
  for (const f of type.fields) {
    const raw = fields[f.id];
    const v = typeof raw === 'string' ? raw.trim() : '';
    if (v === '') {
      if (f.required) out.push({ path: `fields.${f.id}`, code: 'required', detail: '必填 (required)' });
      continue;
    }
    const bad = checkField(pack, type, f.id, v, fields, today);
    if (bad) out.push({ path: `fields.${f.id}`, code: 'invalid', detail: bad });
  }
  const docs = Array.isArray(c.documents) ? c.documents : [];
  const ids = new Set<string>();
  docs.forEach((d, i) => {
    const bad =
      typeof d?.id !== 'string' || d.id === '' || ids.has(d.id)
        ? '缺少或重复的材料编号 (missing or duplicate id)'
        : typeof d.sha256 !== 'string' || !HEX64.test(d.sha256)
          ? 'SHA-256 应为 64 位小写十六进制 (sha256 must be 64 lower-case hex digits)'
          : !Number.isInteger(d.size) || d.size <= 0 || d.size > MAX_PHOTO_BYTES
            ? `照片大小应在 1 字节到 ${MAX_PHOTO_BYTES / 1024 / 1024} MB 之间 (size out of range)`
            : !PHOTO_TYPES.includes(d.mime)
              ? `仅支持 JPEG、PNG、WebP 照片 (not a supported image type: ${String(d.mime)})`
              : d.kind !== CONSENT_KIND && !type.documents.some((t) => t.id === d.kind)
                ? `此类代办不需要材料 "${String(d.kind)}" (not a document of this filing type)`
                : null;
    if (d && typeof d.id === 'string') ids.add(d.id);
    if (bad) out.push({ path: `documents[${i}]`, code: 'invalid', detail: bad });
  });
  if (docs.length > MAX_DOCUMENTS) out.push({ path: 'documents', code: 'invalid', detail: `每份代办最多 ${MAX_DOCUMENTS} 张照片 (at most ${MAX_DOCUMENTS} photos)` });
  for (const t of type.documents) {
    if (!t.required) continue;
    const need = t.min ?? 1;
    const have = docs.filter((d) => d?.kind === t.id).length;
    if (have < need) {
      out.push({ path: `documents.${t.id}`, code: have === 0 ? 'required' : 'too-few', detail: have === 0 ? `缺少：${t['zh-CN']} (missing: ${t.en})` : `${t['zh-CN']} 至少 ${need} 张 (at least ${need})`, need, have });
    }
  }
  const consent = c.consent;
  if (!consent) out.push({ path: 'consent', code: 'required', detail: '缺少本人同意（签名或签字的同意书照片）(the patient’s consent is missing)' });
  else if ((consent.method !== 'signature' && consent.method !== 'photo') || typeof consent.signer !== 'string' || consent.signer.trim() === '' || !docs.some((d) => d?.kind === CONSENT_KIND && d.sha256 === consent.sha256)) {
    out.push({ path: 'consent', code: 'invalid', detail: '同意记录不完整：需签名人姓名和签名或同意书照片 (consent needs the signer and the signature or photo)' });
  }
  if (needsVillageConfirmation(type)) {
    const vc = c.villageConfirmation;
    if (!vc) out.push({ path: 'villageConfirmation', code: 'required', detail: '缺少村（居）委会确认 (the village committee has not confirmed)' });
    else if (typeof vc.by !== 'string' || vc.by.trim() === '' || !isIsoDate(vc.date) || (today !== null && vc.date > today)) {
      out.push({ path: 'villageConfirmation', code: 'invalid', detail: '请填写确认人和确认日期 (who confirmed, and when)' });
    }
  }
  if (type.estimate) {
    const e = c.estimate;
    const claimReady = !out.some((i) => ['fields.dischargeDate', 'fields.facility', 'fields.total', 'fields.outOfCatalog'].includes(i.path));
    if (!e) {
      if (claimReady) out.push({ path: 'estimate', code: 'required', detail: '请先测算报销 (attach the estimate)' });
    } else if (
      e.packId !== pack.id ||
      e.packHash !== pack.hash ||
      e.claim.date !== fields.dischargeDate?.trim() ||
      e.claim.total !== fenOf(fields.total) ||
      e.claim.outOfCatalog !== fenOf(fields.outOfCatalog) ||
      e.claim.facilityClass !== facilityClassOf(pack, fields.facility)
    ) {
      out.push({ path: 'estimate', code: 'stale', detail: '费用信息已改，请重新测算 (the costs changed: estimate again)' });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The review workflow

export const REVIEWER_OF: Record<Exclude<ReviewLevel, 'village'>, Role> = { township: 'township-reviewer', county: 'county-reviewer' };

export type ReviewAction =
  | { action: 'receive' }
  | { action: 'approve'; amount?: number }
  | { action: 'return'; reason: string }
  | { action: 'reject'; reason: string }
  | { action: 'pay'; paidOn: string; reference?: string };

export interface Actor {
  username: string;
  name: string;
  role: Role;
  areas: string[];
}

export class WorkflowError extends Error {
  constructor(
    readonly code: 'forbidden' | 'invalid' | 'wrong-status',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Whether the actor reviews the stage for a village (by role and jurisdiction). */
export function canActAt(actor: Pick<Actor, 'role' | 'areas'>, level: ReviewLevel, villageCode: string): boolean {
  if (level === 'village') return false;
  return actor.role === REVIEWER_OF[level] && actor.areas.some((a) => villageCode.startsWith(a));
}

/** The stage a filing waits at, with its index among the server stages. */
export function currentStage(type: FilingTypeRule, r: Pick<FilingRecord, 'stage'>) {
  const stages = serverStages(type);
  const index = stages.findIndex((s) => s.id === r.stage);
  return { stages, index, stage: index >= 0 ? stages[index]! : null, final: index === stages.length - 1 };
}

/** Who may act on a filing now: the reviewer of its stage, or for payment the final stage's. */
export function mayAct(actor: Pick<Actor, 'role' | 'areas'>, type: FilingTypeRule, r: Pick<FilingRecord, 'stage' | 'status'>, villageCode: string): boolean {
  const { stage } = currentStage(type, r);
  if (!stage) return false;
  if (!['submitted', 'received', 'in-review', 'approved'].includes(r.status)) return false;
  if (r.status === 'approved' && type.outcome !== 'amount') return false;
  return canActAt(actor, stage.level, villageCode);
}

/** Applies a reviewer's action; returns the new record (the input is not changed) or throws WorkflowError. */
export function applyReview(pack: CompiledPack, r: FilingRecord, villageCode: string, actor: Actor, a: ReviewAction, now: string): FilingRecord {
  const type = filingType(pack, r.type);
  if (!type) throw new WorkflowError('invalid', `unknown filing type ${r.type}`);
  const { stages, index, stage, final } = currentStage(type, r);
  if (!stage) throw new WorkflowError('invalid', `filing ${r.id} is at no stage`);
  if (!canActAt(actor, stage.level, villageCode)) {
    throw new WorkflowError('forbidden', `此环节由${stage.office['zh-CN']}办理，或不在您的辖区 (stage "${stage.id}" is not yours to act on)`);
  }
  const open = r.status === 'submitted' || r.status === 'received' || r.status === 'in-review';
  const ev = (action: FilingAction, extra: Partial<FilingEvent> = {}): FilingEvent => ({ at: now, action, stage: stage.id, version: r.version, by: actor.username, byName: actor.name, role: actor.role, ...extra });
  const next = (patch: Partial<FilingRecord>, e: FilingEvent): FilingRecord => ({ ...r, ...patch, events: [...r.events, e], updatedAt: now });
  const reason = (text: unknown) => {
    if (typeof text !== 'string' || text.trim() === '') throw new WorkflowError('invalid', '请填写原因 (a reason is required)', 'reason');
    if (text.length > MAX_TEXT) throw new WorkflowError('invalid', `原因最多 ${MAX_TEXT} 个字 (reason too long)`, 'reason');
    return text.trim();
  };
  switch (a.action) {
    case 'receive':
      if (r.status !== 'submitted') throw new WorkflowError('wrong-status', `状态为 ${r.status}，无需受理 (only a submitted filing is received)`);
      return next({ status: 'received' }, ev('received'));
    case 'approve': {
      if (!open) throw new WorkflowError('wrong-status', `状态为 ${r.status}，不能审核 (cannot approve a filing that is ${r.status})`);
      if (!final) return next({ status: 'in-review', stage: stages[index + 1]!.id }, ev('advanced'));
      let amount: number | null = null;
      if (type.outcome === 'amount') {
        if (a.amount === undefined && type.grant) amount = pack.grants.find((g) => g.id === type.grant)!.amount.v;
        else if (!Number.isSafeInteger(a.amount) || (a.amount as number) <= 0) throw new WorkflowError('invalid', '请填写批准金额（元）(the approved amount is required)', 'amount');
        else amount = a.amount as number;
      }
      return next({ status: 'approved', amount }, ev('approved', amount !== null ? { amount } : {}));
    }
    case 'return':
      if (!open) throw new WorkflowError('wrong-status', `状态为 ${r.status}，不能退回 (cannot return a filing that is ${r.status})`);
      return next({ status: 'returned' }, ev('returned', { reason: reason(a.reason) }));
    case 'reject':
      if (!open) throw new WorkflowError('wrong-status', `状态为 ${r.status}，不能驳回 (cannot reject a filing that is ${r.status})`);
      return next({ status: 'rejected' }, ev('rejected', { reason: reason(a.reason) }));
    case 'pay':
      if (r.status !== 'approved' || r.amount === null) throw new WorkflowError('wrong-status', '只有已批准金额的申请才能登记发放 (only an approved amount can be paid)');
      // `now` is an instant; the payment date is a local date, so allow the latest local date on earth (UTC+14).
      if (!isIsoDate(a.paidOn) || a.paidOn > new Date(Date.parse(now) + 14 * 3_600_000).toISOString().slice(0, 10)) throw new WorkflowError('invalid', '请填写发放日期（不晚于今天）(the payment date)', 'paidOn');
      if (a.reference !== undefined && (typeof a.reference !== 'string' || a.reference.length > 100)) throw new WorkflowError('invalid', '凭证号最多 100 个字 (reference too long)', 'reference');
      return next({ status: 'paid' }, ev('paid', { amount: r.amount, paidOn: a.paidOn, ...(a.reference ? { reference: a.reference.trim() } : {}) }));
    default:
      throw new WorkflowError('invalid', `unknown action ${String((a as { action?: unknown }).action)}`, 'action');
  }
}

/** A first submission → the record the server stores. */
export function submittedRecord(pack: CompiledPack, s: FilingSubmission, actor: Pick<Actor, 'username' | 'name' | 'role'>, now: string): FilingRecord {
  const type = filingType(pack, s.type)!;
  const first = serverStages(type)[0]!;
  return {
    id: s.id,
    memberId: s.memberId,
    householdId: s.householdId,
    villageId: s.villageId,
    packId: s.packId,
    type: s.type,
    status: 'submitted',
    stage: first.id,
    version: 1,
    content: s.content,
    versions: [{ version: 1, content: s.content, submittedAt: now, by: actor.username }],
    events: [{ at: now, action: 'submitted', stage: first.id, version: 1, by: actor.username, byName: actor.name, role: actor.role }],
    amount: null,
    createdAt: s.createdAt,
    updatedAt: now,
  };
}

/** A returned filing, corrected and sent again: a new version at the stage that returned it. */
export function resubmittedRecord(r: FilingRecord, s: FilingResubmission, actor: Pick<Actor, 'username' | 'name' | 'role'>, now: string): FilingRecord {
  if (r.status !== 'returned') throw new WorkflowError('wrong-status', `状态为 ${r.status}，只有被退回的申请可以重新提交 (only a returned filing can be resubmitted)`);
  const version = r.version + 1;
  if (s.version !== version) throw new WorkflowError('invalid', `版本应为 ${version} (expected version ${version})`, 'version');
  return {
    ...r,
    status: 'submitted',
    version,
    content: s.content,
    versions: [...r.versions, { version, content: s.content, submittedAt: now, by: actor.username }],
    events: [...r.events, { at: now, action: 'resubmitted', stage: r.stage, version, by: actor.username, byName: actor.name, role: actor.role }],
    updatedAt: now,
  };
}

/** The last reason a reviewer gave for returning or rejecting. */
export function lastReason(r: Pick<FilingRecord, 'events'>): string | null {
  for (let i = r.events.length - 1; i >= 0; i--) {
    const e = r.events[i]!;
    if (e.reason) return e.reason;
  }
  return null;
}

/**
 * The amount a reviewer approves by default for an amount-outcome filing, from the pack and the
 * county's own re-settlement of the claim (fen): a grant's fixed amount; for a medical-assistance
 * filing, what the engine gives the assistance layer; for an out-of-county reimbursement, what the
 * insurance layers pay (basic, critical illness, the 136 backstop, supplementary), since assistance
 * is filed on its own and the hospital's share is never paid out. Null when there is nothing to
 * suggest (no re-settlement, or a decision-only filing); the reviewer can always change it.
 */
export function suggestedAmount(type: FilingTypeRule, grantAmount: number | null, payers: Partial<Record<Payer, number>> | null | undefined): number | null {
  if (type.outcome !== 'amount') return null;
  if (type.grant) return grantAmount;
  if (!payers) return null;
  if (type.kind === 'medical-assistance') return payers.assistance ?? 0;
  if (type.kind === 'out-of-county-reimbursement') return (['basic', 'critical', 'backstop', 'supplementary'] as const).reduce((n, p) => n + (payers[p] ?? 0), 0);
  return null;
}
