/**
 * Every language, every screen size, large text: nothing wider than the screen, no yuan written
 * "CN¥", no Simplified-only characters in pack text on 繁體中文 screens, and the ID-number field's
 * numeric keyboard can type the check letter X.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConverterFactory } from 'opencc-js/core';
import STCharacters from 'opencc-js/dict/STCharacters';
import { chromiumAvailable, launch, shot, startServer, tabletContext, waitForServiceWorker, type Server } from './harness.ts';

const toTraditional = ConverterFactory([STCharacters]);
/** Characters that exist only in Simplified writing (they change when converted). */
const simplifiedOnly = (s: string): string[] => [...new Set([...s].filter((ch) => /\p{Script=Han}/u.test(ch) && toTraditional(ch) !== ch))];

const SIZES = [
  { width: 412, height: 915 },
  { width: 800, height: 1280 },
  { width: 1280, height: 800 },
];

describe.skipIf(!chromiumAvailable() && !process.env.CI)('languages, screen sizes and large text in Chromium', () => {
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let member = '';
  let household = '';

  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
    context = await tabletContext(browser);
    page = await context.newPage();
    await page.goto(`${server.url}/welcome`);
    await waitForServiceWorker(page);
    await page.evaluate(() => (window as unknown as { cunyi: { loadDemo(o: object): Promise<unknown> } }).cunyi.loadDemo({ members: 300, seed: 7 }));
    const picked = await page.evaluate(async () => {
      const d = (window as unknown as { cunyi: { db(): any } }).cunyi.db();
      const s = (await d.statuses.toArray()).find((x: { poverty: string }) => x.poverty === 'poor');
      const m = await d.members.get(s.memberId);
      return { member: m.id as string, household: m.householdId as string };
    });
    member = picked.member;
    household = picked.household;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function setUp(lang: string, scale: number): Promise<void> {
    await page.evaluate(([l, s]) => {
      localStorage.setItem('cunyi.lang', l!);
      localStorage.setItem('cunyi.textScale', s!);
    }, [lang, String(scale)]);
  }

  async function estimate(): Promise<void> {
    await page.goto(`${server.url}/estimate?member=${member}`);
    await page.locator('#facility').selectOption('c:county');
    await page.locator('#total').fill('30000');
    await page.locator('#outOfCatalog').fill('3000');
    await page.getByTestId('patient-amount').waitFor();
  }

  const screens: [string, () => Promise<void>][] = [
    ['villages', async () => void (await page.goto(`${server.url}/villages`))],
    ['household', async () => void (await page.goto(`${server.url}/households/${household}`))],
    ['member', async () => void (await page.goto(`${server.url}/members/${member}`))],
    ['estimate', estimate],
    ['filings', async () => void (await page.goto(`${server.url}/filings`))],
    ['worklist', async () => void (await page.goto(`${server.url}/worklist`))],
    ['settings', async () => void (await page.goto(`${server.url}/settings`))],
  ];

  for (const lang of ['zh-CN', 'zh-TW', 'en']) {
    it(`${lang}: every screen fits at every size, at 100% and 150% text`, async () => {
      const wide: string[] = [];
      for (const scale of [100, 150]) {
        await setUp(lang, scale);
        for (const size of SIZES) {
          await page.setViewportSize(size);
          for (const [name, open] of screens) {
            await open();
            await page.locator('main, .page').first().waitFor();
            await page.waitForTimeout(150);
            const over = await page.evaluate((w) => {
              const out: string[] = [];
              if (document.documentElement.scrollWidth > w) out.push(`page ${document.documentElement.scrollWidth}px`);
              for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                const tag = `${el.tagName.toLowerCase()}.${(el as HTMLElement).className}`;
                if (r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== 'fixed') out.push(`${tag} → ${Math.round(r.right)}px`);
                // Text running out of its own box (a long figure that cannot wrap).
                else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && getComputedStyle(el).overflowX === 'visible' && r.left + el.scrollWidth > w + 1) out.push(`${tag} text → ${Math.round(r.left + el.scrollWidth)}px`);
              }
              return out.slice(0, 3);
            }, size.width);
            if (over.length) wide.push(`${name} ${size.width}×${size.height} ${scale}%: ${over.join('; ')}`);
            const text = await page.evaluate(() => document.body.innerText);
            expect(text, `${lang} ${name}`).not.toContain('CN¥');
            if (size.width === 412 && name === 'estimate') await shot(page, `lang-${lang}-${scale}-estimate-412`);
          }
        }
      }
      expect(wide).toEqual([]);
    }, 240_000);
  }

  it('zh-TW: pack text, the explanation and the quotes are in Traditional characters', async () => {
    await setUp('zh-TW', 100);
    await page.setViewportSize({ width: 800, height: 1280 });
    await estimate();
    await page.locator('.tag.quote button').first().click();
    const parts = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="estimate-result"] .steps, [data-testid="assumptions"], #facility, .tag.quote')].map((e) => (e as HTMLElement).innerText || e.textContent || ''),
    );
    const left = simplifiedOnly(parts.join('\n'));
    expect(left, parts.join('\n').slice(0, 400)).toEqual([]);
    await shot(page, 'lang-zh-TW-estimate-800');
  }, 120_000);

  it('the ID number opens a numeric keyboard with an X key, and spaces are stripped', async () => {
    await setUp('zh-CN', 100);
    await page.setViewportSize({ width: 412, height: 915 });
    await page.goto(`${server.url}/households/${household}/members/new`);
    const id = page.locator('#idNumber');
    expect(await id.getAttribute('inputmode')).toBe('numeric');
    await id.fill('1101 0519 4907 0112 1');
    expect(await id.inputValue()).toBe('11010519490701121');
    await page.getByTestId('idNumber-x').click();
    expect(await id.inputValue()).toBe('11010519490701121X');
    await shot(page, 'id-number-x-412');
  }, 60_000);
});
