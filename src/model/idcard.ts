/**
 * China resident identity numbers (居民身份证号码, GB 11643-1999): 18 characters
 *
 *     RRRRRR YYYYMMDD SSS C
 *
 * RRRRRR the administrative region of first registration (GB/T 2260), YYYYMMDD the birth date, SSS a
 * sequence whose last digit is odd for men and even for women, C the ISO 7064 MOD 11-2 check
 * character (0-9 or X).
 *
 * Pure and browser-safe: no Node APIs.
 */

export type IdProblem =
  /** Nothing entered. */
  | 'empty'
  /** Full-width digits or Ｘ (typed with a Chinese input method in full-width mode). */
  | 'fullwidth'
  /** A 15-digit number of the first-generation card (before 1999). */
  | 'old-format'
  /** Not 18 characters. */
  | 'length'
  /** Something other than digits, or an X other than in the last place. */
  | 'characters'
  /** The first two digits are no province, autonomous region or municipality. */
  | 'region'
  /** Digits 7-14 are no real calendar date. */
  | 'birth-date'
  /** Birth date before 1900-01-01. */
  | 'birth-too-early'
  /** Birth date after today. */
  | 'birth-future'
  /** The last character does not match the other 17. */
  | 'check-digit';

export type IdCrossProblem = 'birth-date-mismatch' | 'sex-mismatch';

export type IdCheck = { ok: true; id: string; regionCode: string; birthDate: string; sex: 'M' | 'F' } | { ok: false; problem: IdProblem };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/**
 * First two digits in use (GB/T 2260 provinces; 71 Taiwan; 81, 82, 83 the residence permits of Hong
 * Kong, Macao and Taiwan residents, which carry 810000, 820000, 830000).
 */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** The check character for the first 17 digits (which must be ASCII digits). */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Today's local date as ISO yyyy-mm-dd. */
export function localToday(d: Date = new Date()): string {
  return `${String(d.getFullYear()).padStart(4, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** yyyymmdd → yyyy-mm-dd when it is a real calendar date, else null. */
function compactDate(s: string): string | null {
  if (!/^\d{8}$/.test(s)) return null;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(4, 6));
  const d = Number(s.slice(6, 8));
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** Whitespace inside and around (ASCII and the ideographic space U+3000), as people type and paste. */
const SPACES = /[\s\u3000]+/g;
const FULLWIDTH = /[\uFF10-\uFF19\uFF38\uFF58]/;

/**
 * Checks an entered ID number. Spaces anywhere are dropped and a lower-case x is read as X; the
 * normalised number is returned as `id`. `today` (ISO date, default the current local date) bounds
 * the birth date.
 */
export function checkIdNumber(input: string, today: string = localToday()): IdCheck {
  const s = input.replace(SPACES, '').toUpperCase();
  if (s === '') return { ok: false, problem: 'empty' };
  if (FULLWIDTH.test(s)) return { ok: false, problem: 'fullwidth' };
  if (s.length === 15 && /^\d{15}$/.test(s)) return { ok: false, problem: 'old-format' };
  if (s.length !== 18) return { ok: false, problem: 'length' };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, problem: 'characters' };
  if (!PROVINCES.has(s.slice(0, 2))) return { ok: false, problem: 'region' };
  const birthDate = compactDate(s.slice(6, 14));
  if (birthDate === null) return { ok: false, problem: 'birth-date' };
  if (birthDate < '1900-01-01') return { ok: false, problem: 'birth-too-early' };
  if (birthDate > today) return { ok: false, problem: 'birth-future' };
  if (idCheckChar(s) !== s[17]) return { ok: false, problem: 'check-digit' };
  return { ok: true, id: s, regionCode: s.slice(0, 6), birthDate, sex: (s.charCodeAt(16) - 48) % 2 === 1 ? 'M' : 'F' };
}

/**
 * Compares the birth date and sex written in an ID number with what was entered separately on the
 * form. Fields not entered (undefined, null or '') are not compared; an ID number whose date part is
 * unreadable gives no birth-date finding (checkIdNumber reports that).
 */
export function crossCheckId(id: string, entered: { birthDate?: string | null; sex?: 'M' | 'F' | null }): IdCrossProblem[] {
  const s = id.replace(SPACES, '').toUpperCase();
  const out: IdCrossProblem[] = [];
  if (s.length !== 18) return out;
  const birth = compactDate(s.slice(6, 14));
  if (entered.birthDate && birth !== null && birth !== entered.birthDate) out.push('birth-date-mismatch');
  const d17 = s.charCodeAt(16) - 48;
  if (entered.sex && d17 >= 0 && d17 <= 9 && (d17 % 2 === 1 ? 'M' : 'F') !== entered.sex) out.push('sex-mismatch');
  return out;
}

/**
 * Builds a valid ID number from a 6-digit region code, an ISO birth date and a sequence 0..999 (its
 * parity gives the sex: odd men, even women). Throws RangeError on bad arguments.
 */
export function makeIdNumber(regionCode6: string, birthDate: string, sequence3: number): string {
  if (!/^\d{6}$/.test(regionCode6)) throw new RangeError(`region code must be 6 digits: "${regionCode6}"`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m || compactDate(m[1]! + m[2]! + m[3]!) === null) throw new RangeError(`birth date must be a real yyyy-mm-dd date: "${birthDate}"`);
  if (!Number.isInteger(sequence3) || sequence3 < 0 || sequence3 > 999) throw new RangeError(`sequence must be an integer 0..999: ${sequence3}`);
  const first17 = regionCode6 + m[1]! + m[2]! + m[3]! + String(sequence3).padStart(3, '0');
  return first17 + idCheckChar(first17);
}

type Messages = { 'zh-CN': string; 'zh-TW': string; en: string };

export const ID_PROBLEM_MESSAGES: Record<IdProblem | IdCrossProblem, Messages> = {
  empty: {
    'zh-CN': '请填写身份证号',
    'zh-TW': '請填寫身分證號',
    en: 'Please enter the ID number',
  },
  fullwidth: {
    'zh-CN': '身份证号里有全角数字，请把输入法切换到半角（英文）后重新输入',
    'zh-TW': '身分證號裡有全形數字，請把輸入法切換到半形（英文）後重新輸入',
    en: 'The ID number contains full-width digits; switch the keyboard to half-width (English) and type it again',
  },
  'old-format': {
    'zh-CN': '这是15位的老身份证号，请填写现在使用的18位身份证号',
    'zh-TW': '這是15位的舊身分證號，請填寫現在使用的18位身分證號',
    en: 'This is an old 15-digit ID number; please enter the current 18-character number',
  },
  length: {
    'zh-CN': '身份证号应为18位，请核对是否多输或少输了数字',
    'zh-TW': '身分證號應為18位，請核對是否多輸或少輸了數字',
    en: 'An ID number has 18 characters; check for a missing or extra digit',
  },
  characters: {
    'zh-CN': '身份证号只能是数字，最后一位可以是X，请核对',
    'zh-TW': '身分證號只能是數字，最後一位可以是X，請核對',
    en: 'An ID number is digits only, except that the last character may be X; please check it',
  },
  region: {
    'zh-CN': '身份证号前两位不是有效的省份代码，请核对开头几位',
    'zh-TW': '身分證號前兩位不是有效的省份代碼，請核對開頭幾位',
    en: 'The first two digits are not a valid province code; please check the start of the number',
  },
  'birth-date': {
    'zh-CN': '身份证号第7到14位应是出生日期（年月日），这个日期不存在，请核对',
    'zh-TW': '身分證號第7到14位應是出生日期（年月日），這個日期不存在，請核對',
    en: 'Digits 7-14 should be the birth date (year, month, day), and this date does not exist; please check them',
  },
  'birth-too-early': {
    'zh-CN': '身份证号里的出生日期早于1900年，请核对第7到14位',
    'zh-TW': '身分證號裡的出生日期早於1900年，請核對第7到14位',
    en: 'The birth date in the ID number is before 1900; please check digits 7-14',
  },
  'birth-future': {
    'zh-CN': '身份证号里的出生日期在今天之后，请核对第7到14位',
    'zh-TW': '身分證號裡的出生日期在今天之後，請核對第7到14位',
    en: 'The birth date in the ID number is after today; please check digits 7-14',
  },
  'check-digit': {
    'zh-CN': '身份证号最后一位校验码不对，可能有一位输错了，请逐位核对',
    'zh-TW': '身分證號最後一位檢查碼不對，可能有一位輸錯了，請逐位核對',
    en: 'The last character (the check digit) does not match; a digit is probably mistyped, please check each one',
  },
  'birth-date-mismatch': {
    'zh-CN': '填写的出生日期和身份证号里的出生日期不一致，请核对',
    'zh-TW': '填寫的出生日期和身分證號裡的出生日期不一致，請核對',
    en: 'The birth date entered differs from the one in the ID number; please check both',
  },
  'sex-mismatch': {
    'zh-CN': '填写的性别和身份证号不一致（第17位单数为男、双数为女），请核对',
    'zh-TW': '填寫的性別和身分證號不一致（第17位單數為男、雙數為女），請核對',
    en: 'The sex entered differs from the ID number (17th digit odd for men, even for women); please check both',
  },
};

/**
 * An ID number as lists show it: the region code and the last four characters, the birth date
 * and sequence hidden (`141130********4913`). The whole number is shown on the member's page on tap.
 */
export function maskId(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** A phone number as lists show it: its last four digits (`…1234`), the way people give them. */
export function maskPhone(phone: string): string {
  const d = phone.replace(/\D/g, '');
  return d.length <= 4 ? d : `…${d.slice(-4)}`;
}
