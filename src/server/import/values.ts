/**
 * Cell values of a roster as the counties write them, read into the roster's terms: relations to
 * the head of household (户主, 配偶, 长子, 之女, …), yes and no, the poverty attributes of the
 * national system (一般贫困户, 低保贫困户, 特困供养贫困户, 脱贫户, 监测对象, …), dates and phone
 * numbers. Each reader returns the value, or the reason in Chinese why the cell is not one.
 */
import { POVERTY_LABEL, RELATION_LABEL } from '../../model/exports/labels.ts';
import type { Relation, StatusRecord } from '../../model/roster.ts';

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const no = (message: string): Read<never> => ({ ok: false, message });

const RELATION_WORDS: Record<Relation, string[]> = {
  head: ['户主', '本人', '本人(户主)', '户主本人', 'head'],
  spouse: ['配偶', '妻', '妻子', '夫', '丈夫', '之妻', '之夫', '爱人', 'spouse'],
  son: ['子', '之子', '儿子', '长子', '次子', '三子', '四子', '五子', '独子', '养子', '继子', 'son'],
  daughter: ['女', '之女', '女儿', '长女', '次女', '三女', '四女', '五女', '独女', '养女', '继女', 'daughter'],
  daughterInLaw: ['儿媳', '之儿媳', '儿媳妇', '媳妇', '长媳', '次媳', 'daughterinlaw'],
  sonInLaw: ['女婿', '之女婿', 'soninlaw'],
  grandchild: ['孙子女', '孙子', '孙女', '之孙子', '之孙女', '外孙', '外孙子', '外孙女', '外孙子女', '孙', '曾孙', '曾孙女', 'grandchild'],
  parent: ['父母', '父亲', '母亲', '父', '母', '之父', '之母', '公公', '婆婆', '岳父', '岳母', '继父', '继母', 'parent'],
  sibling: ['兄弟姐妹', '兄', '弟', '姐', '妹', '哥哥', '弟弟', '姐姐', '妹妹', '兄弟', '姐妹', 'sibling'],
  other: ['其他', '其它', '其他亲属', '祖父', '祖母', '祖父母', '外祖父', '外祖母', '外祖父母', '侄子', '侄女', '外甥', '外甥女', '叔', '伯', '姑', '舅', '姨', '孙媳', 'other'],
};
const RELATION_OF = new Map<string, Relation>();
for (const [r, words] of Object.entries(RELATION_WORDS) as [Relation, string[]][]) for (const w of words) RELATION_OF.set(w, r);

/** The words the export writes (the model's, src/model/exports/labels.ts), read back here. */
export { POVERTY_LABEL, RELATION_LABEL };

/** As compared: NFKC (full-width letters, digits and brackets to half-width), no spaces, lower case. */
const plain = (s: string) => s.normalize('NFKC').replace(/\s/g, '').toLowerCase();

export function readRelation(s: string): Read<Relation> {
  const r = RELATION_OF.get(plain(s)) ?? RELATION_OF.get(plain(s).replace(/[()]/g, ''));
  return r ? ok(r) : no(`看不懂与户主关系“${s}”；可填：${Object.values(RELATION_LABEL).join('、')}，或 长子、之女、孙女、父亲 等`);
}

export function readSex(s: string): Read<'M' | 'F'> {
  const t = plain(s);
  if (['男', 'm', '1', 'male'].includes(t)) return ok('M');
  if (['女', 'f', '2', 'female'].includes(t)) return ok('F');
  return no(`性别应填 男 或 女，不是“${s}”`);
}

export function readYesNo(s: string): Read<boolean> {
  const t = plain(s);
  if (['是', 'y', 'yes', '1', '√', '✓', 'true', '有'].includes(t)) return ok(true);
  if (['否', 'n', 'no', '0', '×', 'false', '无', '不是'].includes(t)) return ok(false);
  return no(`应填 是 或 否，不是“${s}”`);
}

/** 贫困户属性: the poverty status it says, and the assistance it implies (低保贫困户, 特困供养贫困户). */
export interface Kind {
  poverty: StatusRecord['poverty'];
  assistance: StatusRecord['assistance'] | undefined;
}

export function readKind(s: string): Read<Kind> {
  const t = plain(s);
  if (/监测|边缘|易致贫|不稳定|突发|严重困难/.test(t) || t === 'monitored') return ok({ poverty: 'monitored', assistance: undefined });
  if (/^(非贫困|一般农户|普通农户|无|否)/.test(t) || t === 'none') return ok({ poverty: 'none', assistance: undefined });
  if (/脱贫|lifted/.test(t)) return ok({ poverty: 'lifted', assistance: undefined });
  if (/低保/.test(t) && /贫困/.test(t)) return ok({ poverty: 'poor', assistance: 'dibao' });
  if (/(特困|五保)/.test(t) && /贫困/.test(t)) return ok({ poverty: 'poor', assistance: 'tekun' });
  if (/贫困/.test(t) || t === 'poor') return ok({ poverty: 'poor', assistance: undefined });
  return no(`看不懂贫困户属性“${s}”；可填：一般贫困户、低保贫困户、特困供养贫困户、脱贫户、监测对象、非贫困户`);
}

/** 脱贫属性: true for lifted out (已脱贫, 稳定脱贫), false for not (未脱贫, 返贫). */
export function readLifted(s: string): Read<boolean> {
  const t = plain(s);
  if (/^(未脱贫|返贫|否|未)/.test(t)) return ok(false);
  if (/(已脱贫|稳定脱贫|^脱贫|^是$|^已$|享受政策|不享受政策)/.test(t)) return ok(true);
  return no(`脱贫属性应填 已脱贫 或 未脱贫，不是“${s}”`);
}

export function readYear(s: string): Read<number> {
  const m = /^((?:19|20)[0-9]{2})(?:年|年度)?$/.exec(plain(s));
  return m ? ok(Number(m[1])) : no(`应是年份（四位数字，如 2019），不是“${s}”`);
}

export function readPoorClass(s: string): Read<1 | 2> {
  const t = plain(s);
  if (['1', '一类', '一'].includes(t)) return ok(1);
  if (['2', '二类', '二'].includes(t)) return ok(2);
  return no(`贫困类别应填 一类 或 二类，不是“${s}”`);
}

function realDate(y: number, m: number, d: number): string | null {
  const days = m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days) return null;
  return `${String(y)}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** A date as 2016-01-01, 2016/1/1, 2016.1.1, 20160101, 2016年1月1日, or an Excel date cell. */
export function readDate(s: string, asNumber: boolean): Read<string> {
  const t = plain(s);
  let m = /^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$/.exec(t) ?? /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(t);
  if (m) {
    const d = realDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d) return ok(d);
  }
  // A date that Excel kept as its serial number (days since 1899-12-30).
  m = /^[0-9]{5}(\.[0-9]+)?$/.exec(t);
  if (m && asNumber) return ok(new Date(Date.UTC(1899, 11, 30) + Math.floor(Number(t)) * 86_400_000).toISOString().slice(0, 10));
  return no(`应是日期（如 2016-01-01），不是“${s}”`);
}

/** A mobile (11 digits from 13…19) or landline (0 and 9 to 11 digits) number; spaces and dashes dropped. */
export function readPhone(s: string): Read<string> {
  const t = s.normalize('NFKC').replace(/[\s-]/g, '').replace(/^\+?86(?=1[3-9][0-9]{9}$)/, '');
  return /^(1[3-9][0-9]{9}|0[0-9]{9,11})$/.test(t) ? ok(t) : no(`电话号码“${s}”格式不对：手机号 11 位，座机号带区号（如 0358-1234567）`);
}

/** Numbers the spreadsheet shows in scientific notation (1.41113E+17): their digits are lost. */
export const SCIENTIFIC = /^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$/;
