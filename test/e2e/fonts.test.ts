/**
 * The screenshots in test-results/screens/ are looked at by people: without a CJK font every
 * Chinese character in them is a box. CI must have one (.ci/run installs Debian's fonts-noto-cjk);
 * elsewhere the check is skipped with a notice when none is installed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, launch } from './harness.ts';

function cjkFonts(): string[] {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l.trim() !== '') : [];
}

const fonts = cjkFonts();
if (fonts.length === 0 && !process.env.CI) console.log('notice: no CJK font is installed (apt-get install fonts-noto-cjk): screenshots will show boxes for Chinese');

describe.skipIf(!chromiumAvailable() || (fonts.length === 0 && !process.env.CI))('a CJK font for the screenshots', () => {
  it('is installed, and Chromium draws Chinese with it rather than boxes', async () => {
    expect(fonts.length, 'fc-list :lang=zh lists no font: install fonts-noto-cjk').toBeGreaterThan(0);
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.setContent('<canvas id="c" width="200" height="60"></canvas>');
      // Two different characters drawn with a real font differ; drawn as the missing-glyph box they do not.
      const same = await page.evaluate(() => {
        const c = document.getElementById('c') as HTMLCanvasElement;
        const g = c.getContext('2d')!;
        const draw = (ch: string) => {
          g.clearRect(0, 0, 200, 60);
          g.font = '40px sans-serif';
          g.fillText(ch, 10, 45);
          return Array.from(g.getImageData(0, 0, 200, 60).data).join(',');
        };
        return draw('王') === draw('沟');
      });
      expect(same).toBe(false);
    } finally {
      await browser.close();
    }
  });
});
