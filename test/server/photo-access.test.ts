/**
 * Who may see a photo, on SQLite and PostgreSQL: a filing's photo only through a filing in the
 * reader's jurisdiction that names it, never by its hash alone through any route (a filer of another
 * township who knows the hash cannot name it in a filing of their own, nor read it); the status of
 * an upload and its restarts belong to the device that sends it; a device may keep only so many
 * unfinished uploads; partial uploads abandoned for a week are swept at start and on a timer.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ulid } from '../../src/model/ulid.ts';
import { buildApp, ROUTES } from '../../src/server/app.ts';
import { BACKENDS, MANY_LOGINS } from './backends.ts';
import { CHUNK, dist, fixture, membersOf, mine, photo, theirs, type Auth, type Fixture, type Photo } from './fixture.ts';
import { sha256 } from './photos.ts';

/** A photo of two chunks (about 270 KB). */
const bigPhoto = () => photo(300);

for (const backend of BACKENDS) {
  describe(`photo access on ${backend}`, () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await fixture(backend);
    });
    afterAll(async () => f?.close());

    it('never lets a filer of another township read a photo by its hash, through any route', async () => {
      const doctor = await f.signIn('doctor');
      const photos: [Photo, Photo, Photo] = [photo(), photo(), photo()];
      for (const p of photos) await f.upload(doctor, p);
      const filed = f.filing(membersOf(mine.id)[0]!, photos);
      expect((await f.push(doctor, [filed]))[0]).toMatchObject({ status: 'applied' });

      // doctor2 files in another township and has learnt the hashes somehow.
      const doctor2 = await f.signIn('doctor2');
      const township2 = await f.signIn('township2');
      const [idCard] = photos;
      // The upload status is this device's own: nothing to see.
      expect((await f.app.inject({ method: 'GET', url: `/api/sync/uploads/${idCard.sha}`, headers: doctor2 })).statusCode).toBe(404);
      // A filing of their own naming those photos is refused: they never sent them.
      const theft = f.filing(membersOf(theirs.id)[0]!, photos);
      const [refused] = await f.push(doctor2, [theft]);
      expect(refused).toMatchObject({ status: 'rejected', code: 'document-missing' });
      expect(refused!.message).toMatch(/not uploaded from this device/);

      // Every GET route, with every id and hash they might try: no photo comes back.
      const ids = [filed.entityId, theft.entityId, ulid()];
      const getRoutes = ROUTES.get(f.app)!.filter((r) => r.method === 'GET' && r.url.startsWith('/api/'));
      let tried = 0;
      for (const { url } of getRoutes) {
        for (const id of ids) {
          for (const p of photos) {
            const concrete = url
              .replace(':sha256', p.sha)
              .replace(':entity', 'filing')
              .replace(':id', id)
              .replace('*', `filings/${id}/documents/${p.sha}`);
            for (const who of [doctor2, township2]) {
              const r = await f.app.inject({ method: 'GET', url: concrete, headers: who });
              tried++;
              expect(String(r.headers['content-type'] ?? ''), concrete).not.toMatch(/^image\//);
              expect(r.rawPayload.includes(p.bytes.subarray(0, 64)), concrete).toBe(false);
              expect(sha256(r.rawPayload) === p.sha, concrete).toBe(false);
            }
          }
        }
      }
      expect(tried).toBeGreaterThan(50);
      // Those whose jurisdiction covers the filing do see it.
      const county = await f.signIn('county');
      const ok = await f.app.inject({ method: 'GET', url: `/api/filings/${filed.entityId}/documents/${idCard.sha}`, headers: county });
      expect(ok.statusCode).toBe(200);
      expect(sha256(ok.rawPayload)).toBe(idCard.sha);
    });

    it('keeps an upload’s status and its restarts to the device that sends it', async () => {
      const device = ulid();
      const a = await f.signIn('doctor', device);
      const b = await f.signIn('doctor'); // the same user on another tablet
      const c = await f.signIn('cadre');
      const p = bigPhoto();
      expect((await f.put(a, p, 0)).json()).toEqual({ received: CHUNK, complete: false });
      const status = (who: Auth) => f.app.inject({ method: 'GET', url: `/api/sync/uploads/${p.sha}`, headers: who });
      expect((await status(a)).json()).toMatchObject({ received: CHUNK, complete: false });
      expect((await status(b)).statusCode).toBe(404);
      expect((await status(c)).statusCode).toBe(404);
      // Another device declaring the photo anew starts its own upload and leaves this one alone.
      const reset = await f.app.inject({
        method: 'PUT',
        url: `/api/sync/uploads/${p.sha}`,
        headers: { ...b, 'content-type': 'application/octet-stream', 'x-cunyi-size': String(p.bytes.length - 1), 'x-cunyi-mime': 'image/png', 'x-cunyi-offset': '0' },
        payload: p.bytes.subarray(0, 1000),
      });
      expect(reset.json()).toEqual({ received: 1000, complete: false });
      expect((await status(a)).json()).toMatchObject({ received: CHUNK });
      expect((await f.put(a, p, CHUNK)).json()).toEqual({ received: p.bytes.length, complete: true });
      expect((await status(a)).json()).toMatchObject({ complete: true });
      // Complete on the server, but not from b: b proves it holds the photo by sending it whole.
      expect((await status(b)).json()).toMatchObject({ received: 1000, complete: false });
      expect((await f.put(b, p, 0)).statusCode).toBe(200);
      expect((await f.put(b, p, CHUNK)).json()).toEqual({ received: p.bytes.length, complete: true });
      expect((await status(b)).json()).toMatchObject({ complete: true });
      const stored = await f.sdb.db.selectFrom('uploads').selectAll().where('sha256', '=', p.sha).execute();
      expect(stored).toHaveLength(1);
      expect(sha256(Buffer.from(stored[0]!.data))).toBe(p.sha);
      expect(await f.sdb.db.selectFrom('upload_parts').selectAll().where('sha256', '=', p.sha).execute()).toEqual([]);
    });

    it('limits the unfinished uploads of one device', async () => {
      const limited = await buildApp({ db: f.sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS, uploadLimits: { maxPartials: 2, maxPartialBytes: 700_000 } });
      try {
        const a = await f.signIn('cadre', ulid(), limited);
        const other = await f.signIn('cadre', ulid(), limited);
        const [p1, p2, p3] = [bigPhoto(), bigPhoto(), bigPhoto()];
        expect((await f.put(a, p1, 0, undefined, limited)).statusCode).toBe(200);
        expect((await f.put(a, p2, 0, undefined, limited)).statusCode).toBe(200);
        const third = await f.put(a, p3, 0, undefined, limited);
        expect(third.statusCode).toBe(429);
        expect(third.json().error).toMatchObject({ code: 'upload-quota' });
        expect(third.json().error.message).toMatch(/^这台设备未传完的照片太多.*\(this device has 2 unfinished/);
        // Another device is not held back; the same photo again is not a new one.
        expect((await f.put(other, p3, 0, undefined, limited)).statusCode).toBe(200);
        expect((await f.put(a, p2, 0, undefined, limited)).statusCode).toBe(409);
        // A finished photo frees its place.
        expect((await f.put(a, p1, CHUNK, undefined, limited)).json()).toMatchObject({ complete: true });
        expect((await f.put(a, p3, 0, undefined, limited)).statusCode).toBe(200);
        // And the bytes: two unfinished photos of 270 KB and one of 500 KB are over 700 KB.
        expect((await f.put(a, p3, CHUNK, undefined, limited)).json()).toMatchObject({ complete: true });
        const large = photo(410);
        expect(large.bytes.length).toBeGreaterThan(430_000);
        const over = await f.put(a, large, 0, undefined, limited);
        expect(over.statusCode).toBe(429);
        expect(over.json().error).toMatchObject({ code: 'upload-quota', path: 'headers.x-cunyi-size' });
        expect(over.json().error.message).toMatch(/MB/);
      } finally {
        await limited.close();
      }
    });

    it('sweeps partial uploads abandoned for a week, at start and then on its timer', async () => {
      const a = await f.signIn('doctor');
      const [old, fresh] = [bigPhoto(), bigPhoto()];
      await f.put(a, old, 0);
      await f.put(a, fresh, 0);
      const parts = () => f.sdb.db.selectFrom('upload_parts').select('sha256').where('sha256', 'in', [old.sha, fresh.sha]).execute();
      const age = (p: Photo, days: number) =>
        f.sdb.db.updateTable('upload_parts').set({ updated_at: new Date(Date.now() - days * 86_400_000).toISOString() }).where('sha256', '=', p.sha).execute();
      await age(old, 8);
      await age(fresh, 6);
      const restarted = await buildApp({ db: f.sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS });
      await restarted.ready();
      await restarted.close(); // closing waits for the sweep under way
      expect((await parts()).map((r) => r.sha256)).toEqual([fresh.sha]);
      // The old one is gone from the device's view too: it starts again from 0.
      expect((await f.app.inject({ method: 'GET', url: `/api/sync/uploads/${old.sha}`, headers: a })).statusCode).toBe(404);
      // Later runs of the sweep take what has aged since.
      const running = await buildApp({ db: f.sdb, distDir: dist(), version: 'test', loginLimits: MANY_LOGINS, maintenance: { everyMs: 50 } });
      try {
        await running.ready();
        await age(fresh, 8);
        await vi.waitFor(async () => expect(await parts()).toEqual([]), { timeout: 60_000, interval: 50 });
      } finally {
        await running.close();
      }
    });
  });
}
