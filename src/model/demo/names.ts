/**
 * Name tables for the synthetic county: surnames weighted by how common they are in Lüliang, Shanxi,
 * and given-name characters typical of rural north China by generation and sex. Every entry carries
 * its toneless pinyin as a person's name is read (surnames in their surname reading: 曾 zeng, 单
 * shan, 解 xie, 仇 qiu, 区 ou; ü written v as keyboards take it: 吕 lv, 女 nv), so the generator
 * needs no pinyin library; test/model/demo.test.ts checks the tables against pinyin-pro.
 *
 * Compound surnames write a hyphen between syllables ("ou-yang") so initials come out per syllable.
 */

export interface NamePart {
  text: string;
  pinyin: string;
  initials: string;
}

export interface WeightedTable {
  parts: NamePart[];
  /** Cumulative weights, for a binary search. */
  cumulative: Float64Array;
  total: number;
}

function part(text: string, py: string): NamePart {
  const syllables = py.split('-');
  return { text, pinyin: syllables.join(''), initials: syllables.map((s) => s.charAt(0)).join('') };
}

function weighted(spec: string): WeightedTable {
  const parts: NamePart[] = [];
  const weights: number[] = [];
  for (const item of spec.trim().split(/\s+/)) {
    const [text, py, w] = item.split(':');
    if (!text || !py || !w) throw new Error(`bad name table item "${item}"`);
    parts.push(part(text, py));
    weights.push(Number(w));
  }
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    cumulative[i] = total;
  });
  return { parts, cumulative, total };
}

function plain(spec: string): NamePart[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((item) => {
      const [text, py] = item.split(':');
      if (!text || !py) throw new Error(`bad name table item "${item}"`);
      return part(text, py);
    });
}

/** Surnames with relative frequency (roughly per mille of the population in the area). */
export const SURNAMES: WeightedTable = weighted(`
  王:wang:90 李:li:75 张:zhang:65 刘:liu:55 郭:guo:40 赵:zhao:35 杨:yang:35 陈:chen:25 武:wu:25
  高:gao:25 梁:liang:20 任:ren:18 韩:han:18 贾:jia:15 田:tian:15 马:ma:15 冯:feng:14 孙:sun:14
  薛:xue:12 白:bai:12 郝:hao:12 闫:yan:12 乔:qiao:10 牛:niu:10 吴:wu:10 胡:hu:10 周:zhou:10
  孟:meng:9 范:fan:9 程:cheng:9 宋:song:9 曹:cao:9 侯:hou:9 卫:wei:8 段:duan:8 许:xu:8 董:dong:8
  温:wen:8 杜:du:8 石:shi:8 常:chang:8 霍:huo:8 贺:he:8 苏:su:7 史:shi:7 崔:cui:7 申:shen:6
  雷:lei:6 秦:qin:6 靳:jin:6 康:kang:6 阎:yan:6 吕:lv:6 郑:zheng:6 黄:huang:6 朱:zhu:6 徐:xu:6
  成:cheng:5 岳:yue:5 何:he:5 原:yuan:4 燕:yan:4 穆:mu:4 尚:shang:4 邢:xing:4 师:shi:4 罗:luo:4
  冀:ji:4 裴:pei:4 柴:chai:4 耿:geng:4 樊:fan:4 姚:yao:4 毛:mao:4 要:yao:3 雒:luo:3 渠:qu:3
  弓:gong:3 畅:chang:3 解:xie:3 翟:zhai:3 景:jing:3 邵:shao:3 曾:zeng:2 单:shan:2 令狐:ling-hu:2
  仇:qiu:1 区:ou:1 查:zha:1 欧阳:ou-yang:1 司马:si-ma:1 尉迟:yu-chi:0.5 上官:shang-guan:0.5
  诸葛:zhu-ge:0.3
`);

/** Given-name characters for one generation and sex: first and second of two, and single names. */
export interface GivenTable {
  first: NamePart[];
  second: NamePart[];
  single: NamePart[];
  /** Share of one-character given names. */
  singleShare: number;
}

export type Generation = 'old' | 'mid' | 'young' | 'kid';

/** Birth year → the naming generation. */
export function generationOf(birthYear: number): Generation {
  return birthYear < 1960 ? 'old' : birthYear < 1985 ? 'mid' : birthYear < 2005 ? 'young' : 'kid';
}

export const GIVEN: Record<Generation, Record<'M' | 'F', GivenTable>> = {
  old: {
    M: {
      first: plain(`建:jian 国:guo 福:fu 保:bao 金:jin 永:yong 树:shu 德:de 富:fu 宝:bao 春:chun 双:shuang
        满:man 存:cun 来:lai 玉:yu 文:wen 世:shi 根:gen 锁:suo 有:you 明:ming 海:hai 志:zhi 银:yin 拴:shuan`),
      second: plain(`平:ping 明:ming 林:lin 生:sheng 忠:zhong 贵:gui 福:fu 山:shan 成:cheng 才:cai 喜:xi 旺:wang
        堂:tang 锁:suo 柱:zhu 亮:liang 元:yuan 全:quan 祥:xiang 荣:rong 胜:sheng 仁:ren 义:yi 顺:shun
        田:tian 虎:hu 龙:long 怀:huai 有:you`),
      single: plain(`福:fu 贵:gui 林:lin 山:shan 旺:wang 喜:xi 成:cheng 祥:xiang`),
      singleShare: 0.06,
    },
    F: {
      first: plain(`秀:xiu 桂:gui 玉:yu 金:jin 凤:feng 翠:cui 彩:cai 春:chun 月:yue 爱:ai 改:gai 润:run 兰:lan
        银:yin 巧:qiao 粉:fen 存:cun 二:er 菊:ju`),
      second: plain(`英:ying 兰:lan 花:hua 珍:zhen 梅:mei 莲:lian 娥:e 芳:fang 香:xiang 琴:qin 叶:ye 平:ping 荣:rong
        女:nv 仙:xian 枝:zhi 凤:feng 萍:ping 秀:xiu`),
      single: plain(`英:ying 兰:lan 花:hua 梅:mei 娥:e 莲:lian`),
      singleShare: 0.05,
    },
  },
  mid: {
    M: {
      first: plain(`建:jian 志:zhi 海:hai 红:hong 卫:wei 小:xiao 永:yong 晓:xiao 俊:jun 军:jun 国:guo 文:wen 新:xin
        向:xiang 跃:yue 东:dong 立:li 学:xue 利:li`),
      second: plain(`军:jun 兵:bing 伟:wei 强:qiang 勇:yong 刚:gang 斌:bin 峰:feng 东:dong 明:ming 平:ping 杰:jie
        涛:tao 亮:liang 鹏:peng 飞:fei 华:hua 林:lin 红:hong 忠:zhong 生:sheng 龙:long 宏:hong 虎:hu`),
      single: plain(`伟:wei 强:qiang 军:jun 勇:yong 刚:gang 斌:bin 涛:tao 峰:feng 亮:liang 鹏:peng 磊:lei 杰:jie 兵:bing 平:ping`),
      singleShare: 0.15,
    },
    F: {
      first: plain(`丽:li 小:xiao 晓:xiao 美:mei 艳:yan 红:hong 春:chun 秀:xiu 海:hai 爱:ai 彩:cai 金:jin 玉:yu 建:jian
        俊:jun 翠:cui`),
      second: plain(`红:hong 霞:xia 燕:yan 娟:juan 丽:li 萍:ping 芳:fang 琴:qin 敏:min 玲:ling 梅:mei 英:ying 莉:li
        花:hua 平:ping 荣:rong 艳:yan 珍:zhen 兰:lan 凤:feng`),
      single: plain(`丽:li 娟:juan 燕:yan 霞:xia 芳:fang 红:hong 敏:min 萍:ping 艳:yan 玲:ling 静:jing 梅:mei`),
      singleShare: 0.15,
    },
  },
  young: {
    M: {
      first: plain(`志:zhi 晓:xiao 海:hai 俊:jun 文:wen 家:jia 建:jian 鹏:peng 永:yong 伟:wei 明:ming 嘉:jia 天:tian
        宇:yu 振:zhen 佳:jia 泽:ze`),
      second: plain(`伟:wei 强:qiang 鹏:peng 飞:fei 杰:jie 涛:tao 磊:lei 鑫:xin 斌:bin 宇:yu 浩:hao 龙:long 亮:liang
        超:chao 阳:yang 波:bo 凯:kai 峰:feng 辉:hui 帅:shuai 成:cheng`),
      single: plain(`磊:lei 鑫:xin 超:chao 鹏:peng 浩:hao 杰:jie 涛:tao 伟:wei 强:qiang 亮:liang 凯:kai 帅:shuai 斌:bin`),
      singleShare: 0.2,
    },
    F: {
      first: plain(`晓:xiao 丽:li 雅:ya 佳:jia 婷:ting 静:jing 欣:xin 文:wen 雪:xue 艳:yan 小:xiao 海:hai 美:mei
        春:chun 丹:dan 亚:ya`),
      second: plain(`婷:ting 娟:juan 丽:li 敏:min 静:jing 燕:yan 霞:xia 琳:lin 慧:hui 芳:fang 艳:yan 雪:xue 倩:qian
        丹:dan 瑞:rui 楠:nan 洁:jie 媛:yuan 蓉:rong 娜:na`),
      single: plain(`娜:na 静:jing 敏:min 婷:ting 丹:dan 倩:qian 慧:hui 雪:xue 洁:jie 燕:yan 娟:juan 丽:li`),
      singleShare: 0.2,
    },
  },
  kid: {
    M: {
      first: plain(`浩:hao 子:zi 宇:yu 俊:jun 博:bo 嘉:jia 家:jia 一:yi 天:tian 晨:chen 思:si 梓:zi 佳:jia 锦:jin
        明:ming 奕:yi 睿:rui 皓:hao 文:wen 泽:ze 铭:ming`),
      second: plain(`宇:yu 轩:xuan 杰:jie 豪:hao 博:bo 阳:yang 航:hang 涛:tao 鑫:xin 磊:lei 辰:chen 泽:ze 睿:rui
        浩:hao 铭:ming 凯:kai 然:ran 翔:xiang 晨:chen 瑞:rui 烨:ye 赫:he 源:yuan 彬:bin`),
      single: plain(`浩:hao 宇:yu 轩:xuan 博:bo 睿:rui 鑫:xin 航:hang 哲:zhe 阳:yang 杰:jie`),
      singleShare: 0.1,
    },
    F: {
      first: plain(`欣:xin 佳:jia 思:si 雨:yu 梓:zi 诗:shi 可:ke 紫:zi 子:zi 一:yi 晓:xiao 若:ruo 语:yu 雅:ya
        梦:meng 心:xin 馨:xin 艺:yi 嘉:jia 静:jing`),
      second: plain(`怡:yi 涵:han 琪:qi 萱:xuan 悦:yue 彤:tong 妍:yan 婷:ting 雪:xue 瑶:yao 琳:lin 茹:ru 萌:meng
        然:ran 雯:wen 蕊:rui 璐:lu 欣:xin 洁:jie 可:ke`),
      single: plain(`萱:xuan 涵:han 悦:yue 琪:qi 瑶:yao 彤:tong 妍:yan 婷:ting 欣:xin 怡:yi`),
      singleShare: 0.1,
    },
  },
};
