/**
 * A new version is offered, never forced: with a half-filled form the update waits and says why;
 * once the form is saved or discarded, the update reloads into the new version.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { chromiumAvailable, launch, shot, startServer, tabletContext, waitForServiceWorker, type Server } from './harness.ts';

function build(tag: string, outDir: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'e2e', '--outDir', outDir, '--emptyOutDir'], {
    cwd: ROOT,
    env: { ...process.env, CUNYI_BUILD: tag },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`build ${tag} failed: ${r.stderr}`);
}

describe.skipIf(!chromiumAvailable() && !process.env.CI)('app updates in Chromium', () => {
  let browser: Browser;
  let server: Server;
  const tmp = mkdtempSync(join(tmpdir(), 'cunyi-update-'));
  const v1 = join(tmp, 'v1');
  const v2 = join(tmp, 'v2');

  beforeAll(() => {
    build('one', v1);
    build('two', v2);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('waits for a form with unsaved input, then updates', async () => {
    server = await startServer({ distDir: v1 });
    const { port, dataDir } = server;
    browser = await launch();
    const page = await (await tabletContext(browser)).newPage();
    await page.goto(`${server.url}/settings`);
    await waitForServiceWorker(page);
    await page.getByTestId('app-version').filter({ hasText: '+one' }).waitFor();

    // A small county, then a half-filled household form.
    await page.evaluate(() => (window as unknown as { cunyi: { loadDemo(o: object): Promise<unknown> } }).cunyi.loadDemo({ members: 200 }));
    await page.goto(`${server.url}/households/new`);
    await page.locator('#address').fill('还没保存的地址');

    // The county publishes version two.
    await server.stop();
    server = await startServer({ port, dataDir, distDir: v2 });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    await page.getByTestId('update-banner').waitFor({ timeout: 30_000 });
    await page.getByTestId('update-banner').getByRole('button', { name: '立即更新' }).click();
    await page.getByTestId('update-banner').getByText('有尚未保存的表单').waitFor();
    await shot(page, 'update-waits-for-form-800x1280');
    expect(await page.locator('#address').inputValue()).toBe('还没保存的地址');

    // Once the form is left with nothing unsaved, the update goes ahead.
    await page.locator('#address').fill('');
    await page.getByTestId('update-banner').getByRole('button', { name: '立即更新' }).click();
    await page.waitForEvent('load', { timeout: 30_000 });
    await page.goto(`${server.url}/settings`);
    await page.getByTestId('app-version').filter({ hasText: '+two' }).waitFor({ timeout: 30_000 });
  });
});
