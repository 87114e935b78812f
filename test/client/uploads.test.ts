/**
 * A photo upload the county holds off for a reason that passes (too many unfinished photos, a full
 * disk, a disabled account) stops the sync to try again later; it never sends the filing back to
 * editing as if the photo itself were refused.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CunyiDb } from '../../src/client/db/schema.ts';
import { ApiError, setApiBase } from '../../src/client/sync/api.ts';
import { uploadDocuments, UploadRefused } from '../../src/client/sync/uploads.ts';
import { emptyContent } from '../../src/model/filing.ts';

afterEach(() => vi.unstubAllGlobals());

async function withPhoto() {
  const d = new CunyiDb(`uploads-${Date.now()}-${Math.random()}`);
  const sha256 = 'a'.repeat(64);
  await d.attachments.add({ id: 'p1', filingId: 'f1', kind: 'invoice', sha256, size: 4, mime: 'image/png', blob: new Blob([new Uint8Array([1, 2, 3, 4])]), createdAt: new Date().toISOString() });
  const content = { ...emptyContent(), documents: [{ id: 'p1', kind: 'invoice', sha256, size: 4, mime: 'image/png' }] };
  return { d, content };
}

const answer = (status: number, code: string) => vi.fn(async () => new Response(JSON.stringify({ error: { code, message: code } }), { status, headers: { 'content-type': 'application/json' } }));

describe('photo uploads held off', () => {
  setApiBase('http://county.invalid');
  for (const [status, code] of [
    [429, 'upload-quota'],
    [507, 'storage-full'],
    [403, 'user-disabled'],
  ] as const) {
    it(`${status} ${code} is tried again later, not a refused photo`, async () => {
      const { d, content } = await withPhoto();
      vi.stubGlobal('fetch', answer(status, code));
      const err = await uploadDocuments('token', content, d).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).not.toBeInstanceOf(UploadRefused);
      expect((err as ApiError).code).toBe(code);
    });
  }

  it('415 not-an-image is the photo refused for good', async () => {
    const { d, content } = await withPhoto();
    vi.stubGlobal('fetch', answer(415, 'not-an-image'));
    expect(await uploadDocuments('token', content, d).catch((e: unknown) => e)).toBeInstanceOf(UploadRefused);
  });
});
