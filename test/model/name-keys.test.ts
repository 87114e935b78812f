/**
 * The extra pinyin readings a person is found under (src/model/name-keys.ts): the stored pinyin cut
 * into one syllable per initial, the given name alone, and the other readings of polyphonic
 * characters, bounded; checked against pinyin-pro for every name of the demo county.
 */
import { describe, expect, it } from 'vitest';
import { generateCounty } from '../../src/model/demo/index.ts';
import { MAX_READINGS, nameReadings, syllables } from '../../src/model/name-keys.ts';
import { pinyin } from 'pinyin-pro';
import { namePinyin } from '../../src/model/pinyin.ts';

describe('name readings', () => {
  it('cuts the pinyin by its initials, and refuses what does not cut', () => {
    expect(syllables('zhangan', 'za')).toEqual(['zhang', 'an']);
    expect(syllables('xian', 'xa')).toEqual(['xi', 'an']);
    expect(syllables('xian', 'x')).toEqual(['xian']);
    expect(syllables('lvxiaoming', 'lxm')).toEqual(['lv', 'xiao', 'ming']);
    expect(syllables('zhangjianguo', 'zj')).toBeNull();
    expect(syllables('qqq', 'q')).toBeNull();
    expect(syllables('', '')).toBeNull();
  });

  it('gives the given name after a surname of one or two characters', () => {
    expect(nameReadings({ name: '张建国', pinyin: 'zhangjianguo', initials: 'zjg' })).toEqual({ surname: 1, readings: [['zhang', 'jian', 'guo']] });
    expect(nameReadings({ name: '欧阳娜娜', pinyin: 'ouyangnana', initials: 'oynn' })).toMatchObject({ surname: 2 });
    // Latin letters in a name: no cut, no extra reading (never a wrong one).
    expect(nameReadings({ name: 'Anna 李', pinyin: 'annali', initials: 'al' })).toBeNull();
  });

  it('reads polyphonic characters each way, the stored reading first, at most MAX_READINGS more', async () => {
    const r = nameReadings({ name: '单重阳', pinyin: 'shanchongyang', initials: 'scy' })!;
    expect(r.readings[0]).toEqual(['shan', 'chong', 'yang']);
    expect(r.readings.map((x) => x.join(''))).toEqual(expect.arrayContaining(['danchongyang', 'shanzhongyang', 'danzhongyang']));
    const many = nameReadings({ name: '曾重单解查', ...(await namePinyin('曾重单解查')) })!;
    expect(many.readings.length).toBeLessThanOrEqual(MAX_READINGS + 1);
    expect(new Set(many.readings.map((x) => x.join(''))).size).toBe(many.readings.length);
  });

  it('cuts the pinyin of every name of the demo county back into itself', async () => {
    const county = generateCounty({ seed: 5, members: 3000 });
    let cut = 0;
    for (const m of county.members) {
      const r = nameReadings(m);
      if (!r) continue;
      cut++;
      expect(r.readings[0]!.join(''), m.name).toBe(m.pinyin);
      expect(r.readings[0]!.map((s) => s[0]).join(''), m.name).toBe(m.initials);
      // The cut is pinyin-pro's own syllables, character by character.
      expect(r.readings[0], m.name).toEqual(pinyin(m.name, { surname: 'head', toneType: 'none', type: 'array', v: true }));
    }
    expect(cut).toBe(county.members.length);
  });
});
