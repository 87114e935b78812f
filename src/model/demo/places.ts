/**
 * The demo county: 交口县 (Jiaokou, Lüliang, Shanxi; county code 141130). The county is real; its
 * townships and villages here are invented (plausible Lüliang place names, not the real ones), with
 * 12-digit codes in the statistical pattern: towns (镇) 141130 1xx 000, townships (乡) 141130 2xx 000,
 * villages (村委会) under them numbered from 200.
 */

export const DEMO_COUNTY = { code: '141130', name: '交口县', packId: 'CN-140000-2017' } as const;

/** Counties a spouse may have been born in: neighbours of 交口 in Lüliang, Linfen and Jinzhong. */
export const NEIGHBOUR_REGIONS: readonly string[] = [
  '141129', // 中阳县
  '141126', // 石楼县
  '141181', // 孝义市
  '141102', // 离石区
  '140729', // 灵石县
  '141024', // 隰县
  '141033', // 蒲县
];

export interface TownshipSpec {
  /** Three digits after the county code. */
  code: string;
  name: string;
  villages: string[];
}

export const TOWNSHIPS: readonly TownshipSpec[] = [
  {
    code: '100',
    name: '石泉镇',
    villages: ['王家沟', '李家庄', '石板沟', '上庄', '下庄', '后沟', '前峪', '枣林', '桃园坪', '马家峁', '南坡', '北岭'],
  },
  {
    code: '101',
    name: '桃川镇',
    villages: ['东庄', '西沟', '张家塬', '白家湾', '刘家坪', '高家洼', '柳树沟', '杏树坪', '核桃湾', '梁家山', '窑上', '圪台', '峪口', '河底'],
  },
  {
    code: '102',
    name: '柏峪镇',
    villages: ['沟门', '坪上', '郭家庄', '任家峁', '贾家沟', '韩家塬', '田家湾', '冯家岭', '薛家坪', '乔家洼', '牛家山'],
  },
  {
    code: '103',
    name: '青龙镇',
    villages: ['大井', '小井', '石门', '青石', '红土坡', '黄草坪', '榆树湾', '槐树坪', '杨家庄', '赵家沟', '阎家塬', '侯家湾', '郝家岭'],
  },
  {
    code: '200',
    name: '红崖乡',
    villages: ['温家坪', '霍家山', '贺家峁', '崔家庄', '段家沟', '苏家湾', '常家坪', '史家洼', '申家岭', '前庄'],
  },
  {
    code: '201',
    name: '马坊乡',
    villages: ['后庄', '中庄', '上峪', '下峪', '桑园', '梨树坪', '松树岭', '水泉', '龙王庙', '三官庙', '圪垛', '阳坡', '阴坡', '西岭', '新庄'],
  },
  {
    code: '202',
    name: '温河乡',
    villages: ['旧庄', '沙窝', '石窑', '土峪', '碾子沟', '磨石沟', '官道', '铺上', '岔口', '河湾', '店上', '寨上'],
  },
];

/** Hospitals where chronic diseases are certified, by kind of disease. */
export const HOSPITALS = {
  county: ['交口县人民医院', '交口县中医医院'],
  city: ['吕梁市人民医院'],
  province: ['山西省人民医院', '山西医科大学第一医院'],
  tumour: ['山西省肿瘤医院'],
} as const;
