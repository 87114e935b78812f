/**
 * The words the spreadsheets write for the roster's values, in Simplified Chinese as the county's
 * own files are (whatever language the screen is in). The import reads the roster's words back
 * (src/server/import/values.ts), so RELATION_LABEL and POVERTY_LABEL are what it takes.
 */
import type { FilingStatus } from '../filing.ts';
import type { Enrolment, Member, Relation, StatusRecord } from '../roster.ts';

/** The words the export writes for each relation (read back by the import's readRelation). */
export const RELATION_LABEL: Record<Relation, string> = {
  head: '户主',
  spouse: '配偶',
  son: '子',
  daughter: '女',
  daughterInLaw: '儿媳',
  sonInLaw: '女婿',
  grandchild: '孙子女',
  parent: '父母',
  sibling: '兄弟姐妹',
  other: '其他',
};

/** 贫困户属性 as the export writes it (read back by the import's readKind). */
export const POVERTY_LABEL: Record<StatusRecord['poverty'], string> = { poor: '贫困户', lifted: '脱贫户', monitored: '监测对象', none: '非贫困户' };

export const SEX_LABEL: Record<Member['sex'], string> = { M: '男', F: '女' };

export const STATE_LABEL: Record<Member['state'], string> = { active: '在册', deceased: '已去世', movedOut: '已迁出' };

export const SCHEME_LABEL: Record<Member['insured']['scheme'], string> = { resident: '城乡居民医保', employee: '职工医保', none: '未参保' };

export const ASSISTANCE_LABEL: Record<NonNullable<StatusRecord['assistance']>, string> = { dibao: '低保', tekun: '特困' };

export const CATEGORY_LABEL: Record<Enrolment['category'], string> = { special: '特殊慢性病', other: '其他慢性病', 'two-diseases': '两病' };

/** A filing's status as the tablet shows it (草稿 and 等待上传 exist on the tablet only). */
export const FILING_STATUS_LABEL: Record<FilingStatus, string> = {
  draft: '草稿',
  queued: '等待上传',
  submitted: '已提交',
  received: '已受理',
  'in-review': '审核中',
  returned: '被退回',
  approved: '已批准',
  paid: '已发放',
  rejected: '未通过',
};

export const ANSWER_LABEL = { yes: '是', no: '否', unknown: '不清楚' } as const;
