/**
 * The columns of a roster as the county's spreadsheets name them: the heading the export and the
 * template write, and the aliases the import also reads (src/server/import/headings.ts finds them
 * in a file). One list for both directions, so an exported roster imports back as it is.
 */

export type Field =
  | 'countyCode'
  | 'county'
  | 'packId'
  | 'townshipCode'
  | 'township'
  | 'villageCode'
  | 'village'
  | 'householdNumber'
  | 'address'
  | 'name'
  | 'sex'
  | 'idNumber'
  | 'relation'
  | 'phone'
  | 'householdKind'
  | 'lifted'
  | 'liftedYear'
  | 'poorClass'
  | 'dibao'
  | 'tekun'
  | 'statusFrom';

export interface FieldInfo {
  field: Field;
  /** The heading the export and the template write. */
  label: string;
  /** Other headings taken for it (compared after normalising: no spaces, no *, half-width brackets). */
  aliases: string[];
  required?: boolean;
}

export const FIELDS: readonly FieldInfo[] = [
  { field: 'countyCode', label: '县代码', aliases: ['县(区)代码', '县区代码', '县级代码', '县编码', 'county_code'] },
  { field: 'county', label: '县', aliases: ['县(区)', '县区', '县名称', '所属县', '县(市、区)', '县(市区)', 'county_name'] },
  { field: 'packId', label: '政策包', aliases: ['政策包编号', 'pack_id'] },
  { field: 'townshipCode', label: '乡镇代码', aliases: ['乡镇编码', '乡镇区划代码', '乡(镇)代码', 'township_code'] },
  { field: 'township', label: '乡镇', aliases: ['乡镇名称', '乡(镇)', '乡镇(街道)', '所属乡镇', '乡', '镇', 'township_name'] },
  { field: 'villageCode', label: '行政村代码', aliases: ['村代码', '村编码', '行政村编码', '行政村区划代码', '村(社区)代码', 'village_code'] },
  { field: 'village', label: '行政村', aliases: ['村', '村名', '村名称', '行政村名称', '所属行政村', '村(社区)', '所在村', 'village_name'], required: true },
  { field: 'householdNumber', label: '户编号', aliases: ['户编码', '户号', '家庭编号', '贫困户编号', '户主编号', 'household_number'], required: true },
  { field: 'address', label: '住址', aliases: ['家庭住址', '家庭地址', '地址', '详细地址', '居住地址', 'address'] },
  { field: 'name', label: '姓名', aliases: ['成员姓名', '人员姓名', '家庭成员姓名', 'name'], required: true },
  { field: 'sex', label: '性别', aliases: ['sex'] },
  { field: 'idNumber', label: '证件号码', aliases: ['身份证号', '身份证号码', '身份证', '公民身份号码', '证件号', '身份证件号码', 'id_number'], required: true },
  { field: 'relation', label: '与户主关系', aliases: ['与户主的关系', '家庭关系', '关系', 'relation'], required: true },
  { field: 'phone', label: '联系电话', aliases: ['电话', '电话号码', '手机', '手机号', '手机号码', '联系方式', 'phone'] },
  { field: 'householdKind', label: '贫困户属性', aliases: ['贫困户类型', '户类型', '贫困属性', '户属性', '人员属性', '贫困人口属性'] },
  { field: 'lifted', label: '脱贫属性', aliases: ['脱贫状态', '是否脱贫', '脱贫标志'] },
  { field: 'liftedYear', label: '脱贫年度', aliases: ['脱贫年份', '脱贫时间', '计划脱贫年度', '脱贫(返贫)年度'] },
  { field: 'poorClass', label: '贫困类别', aliases: ['类别', 'poor_class'] },
  { field: 'dibao', label: '是否低保', aliases: ['低保', '是否低保户', '是否享受低保', '低保对象'] },
  { field: 'tekun', label: '是否特困', aliases: ['特困', '是否特困供养', '是否特困人员', '是否五保', '特困供养'] },
  { field: 'statusFrom', label: '认定日期', aliases: ['身份认定日期', '识别日期', '纳入日期', '起始日期', 'poverty_from'] },
];

export const FIELD_INFO = new Map(FIELDS.map((f) => [f.field, f]));
