/**
 * Photo uploads before a filing (or a household visit with photos) is pushed: each photo in chunks, resumed from what the county already
 * holds (after a dropped connection or a closed app), idempotent (a photo the county has is not sent
 * again), and verified there by size and SHA-256 before the filing naming it is accepted.
 */
import type { FilingContent } from '../../model/filing.ts';
import type { CunyiDb } from '../db/schema.ts';
import { photoBlob } from '../db/filings.ts';
import { api, ApiError } from './api.ts';

export const CHUNK_BYTES = 256 * 1024;

/** The county refused a photo for good (too large, not an image, hash mismatch): the filing needs it replaced. */
export class UploadRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

/**
 * Sends one photo (all of it, or what is left); resolves when the county has verified it. A photo
 * never sent before starts at once from its first byte (one round trip saved per photo on a slow
 * line); one sent before asks first how much the county holds.
 */
async function uploadOne(token: string, sha256: string, blob: Blob, mime: string, kind: string, sentBefore: boolean): Promise<void> {
  let { received, complete } = sentBefore ? await api.uploadStatus(token, sha256) : { received: 0, complete: false };
  let resyncs = 0;
  while (!complete) {
    const chunk = blob.slice(received, Math.min(blob.size, received + CHUNK_BYTES));
    try {
      ({ received, complete } = await api.uploadChunk(token, sha256, blob.size, mime, received, chunk));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'offset-mismatch' && typeof e.detail?.received === 'number' && resyncs++ < 5) {
        received = e.detail.received;
        continue;
      }
      // Not the photo's fault: the session, the device or the account, or a limit that passes (too
      // many unfinished photos, a full server disk). The sync stops and tries again later.
      if (e.status === 401 || e.status === 429 || e.status === 507 || e.code === 'device-revoked' || e.code === 'user-disabled') throw e;
      throw new UploadRefused(e.code, e.message, kind);
    }
    if (!complete && received >= blob.size) throw new UploadRefused('incomplete-upload', `the county holds ${received} of ${blob.size} bytes`, kind);
  }
}

/** Uploads every photo the content names that the county does not hold yet. */
export function uploadDocuments(token: string, content: FilingContent, d: CunyiDb): Promise<number> {
  return uploadPhotos(token, content.documents, d);
}

/** Uploads the photos named (a filing's documents, a visit's photos) that the county does not hold yet. */
export async function uploadPhotos(token: string, refs: readonly { sha256: string; mime: string; kind?: string }[], d: CunyiDb): Promise<number> {
  let sent = 0;
  for (const ref of refs) {
    const kind = ref.kind ?? 'photo';
    const att = (await d.attachments.where('sha256').equals(ref.sha256).toArray()).find((a) => a.blob);
    if (att?.uploaded) continue;
    if (!att) throw new UploadRefused('photo-missing', `照片不在本机 (the photo ${ref.sha256.slice(0, 12)}… is not on this tablet)`, kind);
    const sentBefore = att.uploadStarted === true;
    if (!sentBefore) await d.attachments.where('sha256').equals(ref.sha256).modify({ uploadStarted: true });
    await uploadOne(token, ref.sha256, await photoBlob(att, d), ref.mime, kind, sentBefore);
    await d.attachments.where('sha256').equals(ref.sha256).modify({ uploaded: true });
    sent++;
  }
  return sent;
}
