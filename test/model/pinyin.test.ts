import { describe, expect, it } from 'vitest';
import { namePinyin } from '../../src/model/pinyin.ts';

describe('namePinyin', () => {
  const cases: [string, string, string][] = [
    ['张建国', 'zhangjianguo', 'zjg'],
    ['曾小红', 'zengxiaohong', 'zxh'],
    ['单田芳', 'shantianfang', 'stf'],
    ['欧阳明', 'ouyangming', 'oym'],
    ['区志强', 'ouzhiqiang', 'ozq'],
    ['仇大海', 'qiudahai', 'qdh'],
    ['解建军', 'xiejianjun', 'xjj'],
    ['吕秀英', 'lvxiuying', 'lxy'],
    ['司马国平', 'simaguoping', 'smgp'],
    ['令狐红梅', 'linghuhongmei', 'lhhm'],
  ];
  for (const [name, pinyin, initials] of cases) {
    it(`${name} → ${pinyin} / ${initials}`, async () => {
      expect(await namePinyin(name)).toEqual({ pinyin, initials });
    });
  }

  it('drops spaces and punctuation, keeping the surname reading', async () => {
    expect(await namePinyin('  单 田芳 ')).toEqual({ pinyin: 'shantianfang', initials: 'stf' });
    expect(await namePinyin('买买提·艾力')).toEqual({ pinyin: 'maimaitiaili', initials: 'mmtal' });
    expect(await namePinyin('王小明（大）')).toEqual({ pinyin: 'wangxiaomingda', initials: 'wxmd' });
  });

  it('passes Latin letters through lower-cased, one initial per word', async () => {
    expect(await namePinyin('Tom Li')).toEqual({ pinyin: 'tomli', initials: 'tl' });
    expect(await namePinyin('李ANNA')).toEqual({ pinyin: 'lianna', initials: 'la' });
    expect(await namePinyin('ＡＢ王')).toEqual({ pinyin: 'abwang', initials: 'aw' });
  });

  it('gives empty strings for nothing readable', async () => {
    expect(await namePinyin('')).toEqual({ pinyin: '', initials: '' });
    expect(await namePinyin(' ·、 ')).toEqual({ pinyin: '', initials: '' });
  });
});
