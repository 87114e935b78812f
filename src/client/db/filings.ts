/**
 * Proxy filings on the tablet. A draft is saved on every change (each change is a small patch in
 * its own transaction, so a field typed while a photo is being stored is never lost); photos are
 * blobs in the attachments table, named in the filing by their SHA-256. A filing is queued for the
 * county only when complete, and then the outbox row is written in the same transaction as the
 * status change.
 */
import { builtinPack } from '../../rules/index.ts';
import {
  CONSENT_KIND,
  checkFiling,
  emptyContent,
  filingType,
  MAX_PHOTO_BYTES,
  PHOTO_TYPES,
  type DocumentRef,
  type FilingContent,
  type FilingIssue,
  type FilingResubmission,
  type FilingStatus,
  type FilingSubmission,
} from '../../model/filing.ts';
import { ulid } from '../../model/ulid.ts';
import { db, type AttachmentRow, type AuditRow, type CunyiDb, type FilingRow } from './schema.ts';
import { openBlob, sealBlob } from './seal.ts';

const now = () => new Date().toISOString();
const audit = (entityId: string, action: string, changes: AuditRow['changes'] = {}): AuditRow => ({ at: now(), entity: 'filing', entityId, action, changes });

export class FilingError extends Error {
  constructor(
    readonly code: 'not-found' | 'not-editable' | 'not-an-image' | 'too-large' | 'duplicate' | 'incomplete' | 'no-pack' | 'unknown-type',
    message: string,
    readonly issues: FilingIssue[] = [],
  ) {
    super(message);
  }
}

/** The status the tablet shows: queued while waiting to reach the county. */
export function shownStatus(f: Pick<FilingRow, 'status' | 'local'>): FilingStatus {
  if (f.local?.queued) return 'queued';
  return f.status;
}

/** The content being edited: a draft's own, or the corrected version of a returned filing. */
export function editableContent(f: FilingRow): FilingContent | null {
  if (f.status === 'draft' && !f.local?.queued) return f.content;
  if (f.status === 'returned' && f.local?.draft && !f.local.queued) return f.local.draft;
  return null;
}

/** Starts a filing for a member, of a type of the member's village's pack. */
export async function createFiling(memberId: string, typeId: string, d: CunyiDb = db()): Promise<FilingRow> {
  return d.transaction('rw', [d.members, d.villages, d.filings, d.audit], async () => {
    const m = await d.members.get(memberId);
    if (!m) throw new FilingError('not-found', `member ${memberId} not found`);
    const v = await d.villages.get(m.villageId);
    const pack = v ? builtinPack(v.packId) : null;
    if (!v || !pack) throw new FilingError('no-pack', `no policy pack for village ${m.villageId}`);
    if (!filingType(pack, typeId)) throw new FilingError('unknown-type', `${pack.id} has no filing type ${typeId}`);
    const t = now();
    const row: FilingRow = {
      id: ulid(),
      memberId,
      householdId: m.householdId,
      villageId: m.villageId,
      packId: pack.id,
      type: typeId,
      status: 'draft',
      stage: null,
      version: 0,
      content: emptyContent(),
      versions: [],
      events: [],
      amount: null,
      createdAt: t,
      updatedAt: t,
      rev: 0,
      local: { draft: null, queued: false, problem: null },
    };
    await d.filings.add(row);
    await d.audit.add(audit(row.id, 'create', { type: [null, typeId], memberId: [null, memberId] }));
    return row;
  });
}

/** Applies a change to the content being edited, in one transaction (the draft is saved at once). */
export async function patchContent(id: string, fn: (c: FilingContent) => FilingContent, d: CunyiDb = db()): Promise<FilingContent> {
  return d.transaction('rw', [d.filings], async () => {
    const f = await d.filings.get(id);
    if (!f) throw new FilingError('not-found', `filing ${id} not found`);
    const c = editableContent(f);
    if (!c) throw new FilingError('not-editable', `filing ${id} is ${shownStatus(f)}`);
    const next = fn(c);
    if (f.status === 'draft') await d.filings.update(id, { content: next, updatedAt: now() });
    else await d.filings.update(id, { local: { ...f.local!, draft: next }, updatedAt: now() });
    return next;
  });
}

export const setField = (id: string, field: string, value: string, d: CunyiDb = db()) =>
  patchContent(id, (c) => ({ ...c, fields: { ...c.fields, [field]: value } }), d);

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A photo as it was taken, from its row (sealed under the profile's key, or from before sealing). */
export async function photoBlob(att: Pick<AttachmentRow, 'blob' | 'mime' | 'sealed'>, d: CunyiDb = db()): Promise<Blob> {
  return openBlob(await d.photoKey(), att.blob, att.mime, att.sealed === true);
}

/** Stores a (compressed) photo for a document of the filing, sealed; returns its reference. */
/** A photo the county will take (a type it reads, not empty, not too large), with its hash; or the refusal. */
export async function checkedPhoto(blob: Blob): Promise<{ mime: string; sha256: string }> {
  const mime = blob.type;
  if (!PHOTO_TYPES.includes(mime)) throw new FilingError('not-an-image', `not a supported image type: ${mime || 'unknown'}`);
  if (blob.size === 0 || blob.size > MAX_PHOTO_BYTES) throw new FilingError('too-large', `photo of ${blob.size} bytes`);
  return { mime, sha256: await sha256Hex(blob) };
}

export async function addPhoto(filingId: string, kind: string, blob: Blob, d: CunyiDb = db(), replacing: string | null = null): Promise<DocumentRef> {
  const { mime, sha256 } = await checkedPhoto(blob);
  // The same photo twice is one document shown twice to the reviewer: refused (a replacement may repeat it).
  const current = await d.filings.get(filingId);
  const content = current ? editableContent(current) : null;
  if (!replacing && content?.documents.some((x) => x.sha256 === sha256)) throw new FilingError('duplicate', `photo ${sha256.slice(0, 12)} is already attached`);
  const ref: DocumentRef = { id: ulid(), kind, sha256, size: blob.size, mime };
  const key = await d.photoKey();
  const stored = await sealBlob(key, blob);
  await d.transaction('rw', [d.filings, d.attachments, d.audit], async () => {
    const att: AttachmentRow = { id: ref.id, filingId, kind, sha256, size: blob.size, mime, blob: stored, createdAt: now(), ...(key ? { sealed: true } : {}) };
    await d.attachments.add(att);
    await patchContent(
      filingId,
      (c) => {
        const docs = replacing ? c.documents.map((x) => (x.id === replacing ? ref : x)) : [...c.documents, ref];
        const consent = c.consent && replacing && c.documents.find((x) => x.id === replacing)?.sha256 === c.consent.sha256 ? { ...c.consent, sha256 } : c.consent;
        return { ...c, documents: docs, consent };
      },
      d,
    );
    await d.audit.add(audit(filingId, replacing ? 'replace-photo' : 'add-photo', { [kind]: [replacing, ref.id] }));
    if (replacing) await dropUnreferenced(filingId, replacing, d);
  });
  return ref;
}

/** Deletes an attachment row unless some version of its filing still names it. */
async function dropUnreferenced(filingId: string, attachmentId: string, d: CunyiDb): Promise<void> {
  const f = await d.filings.get(filingId);
  const att = await d.attachments.get(attachmentId);
  if (!f || !att) return;
  const named = [f.content, f.local?.draft, ...f.versions.map((v) => v.content)].some((c) => c?.documents.some((x) => x.sha256 === att.sha256));
  if (!named) await d.attachments.delete(attachmentId);
}

export async function removePhoto(filingId: string, docId: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.filings, d.attachments, d.audit], async () => {
    let kind: string | null = null;
    await patchContent(
      filingId,
      (c) => {
        const gone = c.documents.find((x) => x.id === docId);
        kind = gone?.kind ?? null;
        const consent = gone && c.consent?.sha256 === gone.sha256 ? null : c.consent;
        return { ...c, documents: c.documents.filter((x) => x.id !== docId), consent };
      },
      d,
    );
    await d.audit.add(audit(filingId, 'remove-photo', { [kind ?? 'photo']: [docId, null] }));
    await dropUnreferenced(filingId, docId, d);
  });
}

/** The patient's consent: a drawn signature or a photo of the signed form, replacing any earlier one. */
export async function setConsent(filingId: string, method: 'signature' | 'photo', signer: string, blob: Blob, d: CunyiDb = db()): Promise<void> {
  const f = await d.filings.get(filingId);
  const current = f ? editableContent(f) : null;
  if (!current) throw new FilingError('not-editable', `filing ${filingId} cannot be changed now`);
  const previous = current?.documents.find((x) => x.kind === CONSENT_KIND) ?? null;
  const ref = await addPhoto(filingId, CONSENT_KIND, blob, d, previous?.id ?? null);
  await patchContent(filingId, (c) => ({ ...c, consent: { method, signer: signer.trim(), at: now(), sha256: ref.sha256 } }), d);
}

/** What is still missing before the filing can be queued (empty: complete). */
export async function filingIssues(id: string, today: string, d: CunyiDb = db()): Promise<FilingIssue[]> {
  const f = await d.filings.get(id);
  if (!f) throw new FilingError('not-found', `filing ${id} not found`);
  const pack = builtinPack(f.packId);
  const c = editableContent(f);
  if (!pack || !c) return [];
  return checkFiling(pack, f.type, c, today);
}

/** Queues a complete filing for the county: the outbox row and the status change in one transaction. */
export async function queueFiling(id: string, today: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.filings, d.outbox, d.audit], async () => {
    const f = await d.filings.get(id);
    if (!f) throw new FilingError('not-found', `filing ${id} not found`);
    const c = editableContent(f);
    if (!c) throw new FilingError('not-editable', `filing ${id} is ${shownStatus(f)}`);
    const pack = builtinPack(f.packId);
    if (!pack) throw new FilingError('no-pack', `no policy pack ${f.packId}`);
    const issues = checkFiling(pack, f.type, c, today);
    if (issues.length) throw new FilingError('incomplete', issues.map((i) => i.path).join(', '), issues);
    const t = now();
    if (f.status === 'draft') {
      const data: FilingSubmission = { id: f.id, memberId: f.memberId, householdId: f.householdId, villageId: f.villageId, packId: f.packId, type: f.type, version: 1, content: c, createdAt: f.createdAt };
      await d.outbox.add({ id: ulid(), createdAt: t, entity: 'filing', entityId: f.id, op: 'create', baseRev: null, data: data as unknown as Record<string, unknown> });
    } else {
      const data: FilingResubmission = { version: f.version + 1, content: c };
      await d.outbox.add({ id: ulid(), createdAt: t, entity: 'filing', entityId: f.id, op: 'update', baseRev: f.rev, data: data as unknown as Record<string, unknown> });
    }
    await d.filings.update(id, { local: { draft: f.local?.draft ?? null, queued: true, problem: null }, updatedAt: t });
    await d.audit.add(audit(id, f.status === 'draft' ? 'queue' : 'queue-resubmission', { status: [f.status, 'queued'] }));
  });
}

/** Starts correcting a returned filing: a copy of its current version to edit. */
export async function editReturned(id: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.filings, d.audit], async () => {
    const f = await d.filings.get(id);
    if (!f || f.status !== 'returned') throw new FilingError('not-editable', `filing ${id} is not returned`);
    if (f.local?.draft) return;
    await d.filings.update(id, { local: { draft: structuredClone(f.content), queued: false, problem: f.local?.problem ?? null } });
    await d.audit.add(audit(id, 'edit-returned', {}));
  });
}

/** Deletes a draft that was never sent, with its photos. */
export async function deleteDraft(id: string, d: CunyiDb = db()): Promise<void> {
  await d.transaction('rw', [d.filings, d.attachments, d.audit], async () => {
    const f = await d.filings.get(id);
    if (!f) return;
    if (f.status !== 'draft' || f.local?.queued) throw new FilingError('not-editable', `filing ${id} is ${shownStatus(f)}`);
    await d.attachments.where('filingId').equals(id).delete();
    await d.filings.delete(id);
    await d.audit.add(audit(id, 'delete', { type: [f.type, null] }));
  });
}

/**
 * The county's answer to a submission, written back on the filing. Applied: submitted (the pull
 * brings the county's record). Refused: back to editing with the reason, nothing lost.
 */
export async function settleSubmission(d: CunyiDb, filingId: string, op: 'create' | 'update', data: Record<string, unknown>, result: { applied: true; rev: number } | { applied: false; code: string; message: string }): Promise<void> {
  const f = await d.filings.get(filingId);
  if (!f) return;
  const t = now();
  if (result.applied) {
    const content = (data as unknown as FilingSubmission | FilingResubmission).content;
    const version = (data as unknown as FilingResubmission).version;
    await d.filings.update(filingId, { status: 'submitted', rev: Math.max(f.rev, result.rev), version, content, local: { draft: null, queued: false, problem: null }, updatedAt: t });
    await d.attachments.where('filingId').equals(filingId).modify({ uploaded: true });
    return;
  }
  const problem = { code: result.code, message: result.message, at: t };
  if (op === 'create') await d.filings.update(filingId, { status: 'draft', local: { draft: null, queued: false, problem }, updatedAt: t });
  else await d.filings.update(filingId, { local: { draft: f.local?.draft ?? structuredClone(f.content), queued: false, problem }, updatedAt: t });
  await d.audit.add(audit(filingId, 'refused', { problem: [null, `${result.code}: ${result.message}`] }));
}

/** Filings that want the doctor first: returned or refused (0), drafts (1), waiting to send (2); others null. */
export function needsAction(f: FilingRow): 0 | 1 | 2 | null {
  const s = shownStatus(f);
  if (f.local?.problem || s === 'returned') return 0;
  if (s === 'draft') return 1;
  if (s === 'queued') return 2;
  return null;
}
