/**
 * More ways to find a person by the pinyin of their name, made from what the roster already holds
 * (the name, its toneless pinyin and initials, src/model/pinyin.ts), with no dictionary: the given
 * name alone ("jianguo" finds 张建国) and the other readings of the characters that names read in
 * more than one way (重 zhong/chong, 单 shan/dan, 曾 zeng/ceng…), bounded.
 *
 * The stored pinyin is one string; it is cut into syllables by the table of toneless syllables
 * below, each syllable starting with its initial (so "xian" with initials "xa" is xi·an, not xian).
 * A name whose pinyin does not cut cleanly gets no extra keys (never a wrong one).
 */

/** Every toneless syllable of Mandarin as the app writes it (ü as v), 415 of them. */
const SYLLABLES = new Set(
  'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu n na nai nan nang nao ne nei nen neng ng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo'.split(' '),
);

/** Two-character surnames (复姓): the given name starts after both. */
const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '尉迟', '皇甫', '东方', '慕容', '令狐', '长孙', '宇文', '司徒', '夏侯', '轩辕', '公孙', '澹台', '端木', '独孤', '南宫', '西门'];

/**
 * Characters common in names that are read in more than one way, with their readings: a person
 * may be looked up under either (the doctor types what they hear).
 */
const POLYPHONES: Record<string, readonly string[]> = {
  重: ['zhong', 'chong'], 单: ['shan', 'dan'], 曾: ['zeng', 'ceng'], 解: ['xie', 'jie'], 区: ['ou', 'qu'], 仇: ['qiu', 'chou'],
  朴: ['piao', 'pu'], 查: ['zha', 'cha'], 盖: ['ge', 'gai'], 乐: ['yue', 'le'], 覃: ['qin', 'tan'], 翟: ['zhai', 'di'],
  缪: ['miao', 'mou'], 长: ['chang', 'zhang'], 行: ['xing', 'hang'], 朝: ['chao', 'zhao'], 传: ['chuan', 'zhuan'], 和: ['he', 'huo'],
  都: ['du', 'dou'], 奇: ['qi', 'ji'], 宿: ['su', 'xiu'], 强: ['qiang', 'jiang'], 藏: ['zang', 'cang'], 佳: ['jia'], 柏: ['bai', 'bo'],
  会: ['hui', 'kuai'], 员: ['yuan', 'yun'], 种: ['chong', 'zhong'], 召: ['shao', 'zhao'], 汤: ['tang', 'shang'], 谌: ['chen', 'shen'],
  折: ['she', 'zhe'], 华: ['hua'], 燕: ['yan'], 大: ['da', 'dai'], 弄: ['nong', 'long'], 晟: ['sheng', 'cheng'], 茜: ['qian', 'xi'],
};

/** At most this many other readings of one name are indexed. */
export const MAX_READINGS = 8;

/** The pinyin cut into one syllable per initial, or null when it does not cut cleanly. */
export function syllables(pinyin: string, initials: string): string[] | null {
  const n = initials.length;
  if (n === 0 || n > 12 || !/^[a-z]+$/.test(pinyin)) return null;
  // ways[i][k]: can pinyin[i..] be cut into syllables k..n-1? Small: names are short.
  const memo = new Map<number, string[] | null>();
  const cut = (i: number, k: number): string[] | null => {
    if (k === n) return i === pinyin.length ? [] : null;
    const key = i * 16 + k;
    if (memo.has(key)) return memo.get(key)!;
    let out: string[] | null = null;
    if (pinyin[i] === initials[k]) {
      for (let len = Math.min(6, pinyin.length - i); len >= 1 && out === null; len--) {
        const s = pinyin.slice(i, i + len);
        if (!SYLLABLES.has(s)) continue;
        const rest = cut(i + len, k + 1);
        if (rest) out = [s, ...rest];
      }
    }
    memo.set(key, out);
    return out;
  };
  return cut(0, 0);
}

/**
 * The readings a person is found under, as syllables: the stored one first, then the name read
 * with the other readings of its polyphonic characters (at most MAX_READINGS more); and how many
 * syllables the surname takes (so that the given name alone can be looked up too). Null when the
 * stored pinyin does not cut into one syllable per character.
 */
export function nameReadings(m: { name: string; pinyin: string; initials: string }): { surname: number; readings: string[][] } | null {
  const chars = [...m.name.normalize('NFKC')].filter((c) => /\p{Script=Han}/u.test(c));
  const syl = chars.length === m.initials.length ? syllables(m.pinyin, m.initials) : null;
  if (!syl) return null;
  const surname = COMPOUND.some((c) => m.name.startsWith(c)) ? 2 : 1;
  let combos: string[][] = [[]];
  for (const [i, c] of chars.entries()) {
    const alts = POLYPHONES[c];
    const options = alts ? [syl[i]!, ...alts.filter((a) => a !== syl[i])] : [syl[i]!];
    const next: string[][] = [];
    for (const combo of combos) for (const o of options) if (next.length <= MAX_READINGS) next.push([...combo, o]);
    combos = next;
  }
  // The first combination is the stored reading (each character's own syllable comes first).
  return { surname, readings: combos };
}
