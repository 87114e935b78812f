/**
 * The production build, as `npm start` serves it: no test handle on window (the e2e build has
 * one, test/e2e/harness.ts relies on it), and a strict content security policy under which the
 * app runs without a single violation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { chromiumAvailable, launch, startServer, tabletContext, waitForServiceWorker } from './harness.ts';

describe.skipIf(!chromiumAvailable() && !process.env.CI)('the production build in Chromium', () => {
  it('has no window.cunyi, and runs under its content security policy without a violation', async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), 'cunyi-prod-')), 'dist');
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // The worker is registered as a classic script: no module syntax may be left in it (a lazy
    // import in code it shares with the page once left import.meta there, and it never installed).
    expect(readFileSync(join(outDir, 'sw.js'), 'utf8')).not.toMatch(/import\.meta|^import |^export /m);
    const server = await startServer({ distDir: outDir });
    const browser = await launch();
    try {
      const page = await (await tabletContext(browser)).newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
      });
      const res = await page.goto(`${server.url}/welcome`);
      const csp = res!.headers()['content-security-policy'] ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      await waitForServiceWorker(page);
      await page.getByTestId('demo-mode').waitFor();
      expect(await page.evaluate(() => 'cunyi' in window)).toBe(false);
      // The demo loads (workers, IndexedDB, the generator's lazy chunk) under the policy.
      await page.getByTestId('demo-mode').click();
      await page.getByTestId('village-link').first().waitFor({ timeout: 60_000 });
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
