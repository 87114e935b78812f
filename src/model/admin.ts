/**
 * The county's administration online (src/server/admin.ts, the browser's 管理 screens): every body
 * that crosses the wire, one schema each, checked by the server on what it receives and by the
 * browser on what it is answered. A refusal names the field, in Chinese first with the English in
 * parentheses ("用户名… (username: …)"), as the tablet's refusal words expect (sync/error-words.ts).
 */
import * as v from 'valibot';
import { checkPhone } from './contact.ts';
import { ROLES, type Role } from './sync.ts';

/** Usernames an account may have (the server's accounts refuse any other). */
export const USERNAME = /^[a-z0-9._-]{3,32}$/;
/** A county (6 digits), township (9) or village (12) code: what an account's areas are. */
export const AREA_CODE = /^[0-9]{6}([0-9]{3}([0-9]{3})?)?$/;
/** The shortest and longest password the password rule lets through (the rule itself is the server's). */
export const PASSWORD_LENGTH = { min: 10, max: 1_024 } as const;
/** The most areas one account is given (a county has a few hundred villages). */
export const MAX_AREAS = 500;

/** The roles that use these screens: the administrator (every county) and the county's one-stop centre (its own). */
export const ADMINISTRATORS: readonly Role[] = ['admin', 'county-reviewer'];
export const mayAdminister = (role: Role | null | undefined): boolean => role != null && ADMINISTRATORS.includes(role);

/** What the audit records (`admin_audit.action`). */
export const ADMIN_ACTIONS = ['create-user', 'disable-user', 'enable-user', 'reset-password', 'set-areas', 'set-phone', 'set-role', 'revoke-device'] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** The fields of the requests, by name, as a refusal names them. */
export const FIELD_NAMES: Record<string, string> = {
  username: '用户名',
  displayName: '姓名',
  role: '角色',
  password: '密码',
  areas: '负责地区',
  phone: '电话',
};

const CONTROL = /[\u0000-\u001f\u007f]/;
/** "中文 (field: English)": the words of a refusal. */
const words = (field: string, zh: string, en: string) => `${FIELD_NAMES[field] ?? field}${zh} (${field}: ${en})`;
const shown = (x: unknown) => String(x).slice(0, 20);

const Username = v.pipe(
  v.string(words('username', '应为文字', 'must be text')),
  v.regex(USERNAME, words('username', '应为 3 到 32 个小写字母、数字或 . _ -', '3-32 lower-case letters, digits, dot, dash or underscore')),
);
const DisplayName = v.pipe(
  v.string(words('displayName', '应为文字', 'must be text')),
  v.trim(),
  v.minLength(1, words('displayName', '必填', 'is required')),
  v.maxLength(50, words('displayName', '最多 50 个字', 'at most 50 characters')),
  v.check((s) => !CONTROL.test(s), words('displayName', '不能含控制字符', 'no control characters')),
);
const RoleField = v.picklist(ROLES, words('role', `应为 ${ROLES.join('、')} 之一`, `one of ${ROLES.join(', ')}`));
const Password = v.pipe(
  v.string(words('password', '应为文字', 'must be text')),
  v.minLength(PASSWORD_LENGTH.min, words('password', `至少 ${PASSWORD_LENGTH.min} 个字符`, `at least ${PASSWORD_LENGTH.min} characters`)),
  v.maxLength(PASSWORD_LENGTH.max, words('password', `不能超过 ${PASSWORD_LENGTH.max} 个字符`, `at most ${PASSWORD_LENGTH.max} characters`)),
);
const AreaCodeField = v.pipe(
  v.string(words('areas', '应为代码文字', 'codes as text')),
  v.regex(AREA_CODE, (i) => words('areas', ` "${shown(i.input)}" 不是县（6 位）、乡镇（9 位）或村（12 位）代码`, `"${shown(i.input)}" is not a county, township or village code`)),
);
const Areas = v.pipe(
  v.array(AreaCodeField, words('areas', '应为代码的列表', 'must be a list of codes')),
  v.maxLength(MAX_AREAS, words('areas', `最多 ${MAX_AREAS} 个`, `at most ${MAX_AREAS}`)),
  v.check((a) => new Set(a).size === a.length, words('areas', '有重复的代码', 'a code is given twice')),
);
/** A phone as typed (spaces and dashes allowed); the server keeps its digits. */
const PhoneIn = v.pipe(
  v.string(words('phone', '应为文字', 'must be text')),
  v.maxLength(30, words('phone', '太长', 'too long')),
  v.check((s) => !/[０-９]/.test(s), words('phone', '请用半角数字', 'use ASCII digits, not full-width')),
  v.check((s) => checkPhone(s).ok, words('phone', '应为 11 位手机号或带区号的座机号', 'an 11-digit mobile or a landline with its area code')),
);

// ---------------------------------------------------------------------------------------------
// Requests

/** POST /api/admin/users */
export const NewUserRequestSchema = v.strictObject({
  username: Username,
  displayName: DisplayName,
  role: RoleField,
  password: Password,
  areas: Areas,
  phone: v.optional(v.nullable(PhoneIn)),
});
export type NewUserRequest = v.InferOutput<typeof NewUserRequestSchema>;

/** POST /api/admin/users/:username/password */
export const PasswordRequestSchema = v.strictObject({ password: Password });
/** PUT /api/admin/users/:username/areas */
export const AreasRequestSchema = v.strictObject({ areas: Areas });
/** PUT /api/admin/users/:username/phone (null: none on record) */
export const PhoneRequestSchema = v.strictObject({ phone: v.nullable(PhoneIn) });
/** PUT /api/admin/users/:username/role */
export const RoleRequestSchema = v.strictObject({ role: RoleField });

// ---------------------------------------------------------------------------------------------
// Answers

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Instant = v.pipe(v.string(), v.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z$/));
const Code = v.pipe(v.string(), v.regex(AREA_CODE));
const DeviceId = v.pipe(v.string(), v.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/));
const RoleOut = v.picklist(ROLES);

/** One of an account's areas with the names the county's villages give it (null: no village names it any more). */
export const AdminAreaSchema = v.strictObject({
  code: Code,
  level: v.picklist(['county', 'township', 'village']),
  name: v.nullable(Text(50)),
  /** A village's township. */
  townshipName: v.nullable(Text(50)),
});
export type AdminArea = v.InferOutput<typeof AdminAreaSchema>;

export const AdminUserSchema = v.strictObject({
  username: Text(32),
  displayName: Text(100),
  role: RoleOut,
  areas: v.array(AdminAreaSchema),
  phone: v.nullable(Text(30)),
  disabled: v.boolean(),
  createdAt: Instant,
  /** The last sign-in on any device (null: never signed in). */
  lastSignInAt: v.nullable(Instant),
});
export type AdminUser = v.InferOutput<typeof AdminUserSchema>;

export const UserListSchema = v.strictObject({ users: v.array(AdminUserSchema) });
export type UserList = v.InferOutput<typeof UserListSchema>;

const DeviceUser = v.strictObject({ username: Text(32), displayName: Text(100), role: RoleOut, firstAt: Instant, lastAt: Instant });

export const AdminDeviceSchema = v.strictObject({
  id: DeviceId,
  name: Text(100),
  registeredAt: Instant,
  lastSeenAt: Instant,
  revokedAt: v.nullable(Instant),
  /** Who signed in on it first (the device belongs to that account's county). */
  registeredBy: v.strictObject({ username: Text(32), displayName: Text(100) }),
  /** Everyone who signed in on it, the first first. */
  users: v.array(DeviceUser),
});
export type AdminDevice = v.InferOutput<typeof AdminDeviceSchema>;

export const DeviceListSchema = v.strictObject({ devices: v.array(AdminDeviceSchema) });
export type DeviceList = v.InferOutput<typeof DeviceListSchema>;

const Named = { code: Code, name: Text(50) };
/** GET /api/admin/areas: the counties, townships and villages an account may be given, within the caller's. */
export const AreaTreeSchema = v.strictObject({
  counties: v.array(
    v.strictObject({
      ...Named,
      townships: v.array(v.strictObject({ ...Named, villages: v.array(v.strictObject(Named)) })),
    }),
  ),
});
export type AreaTree = v.InferOutput<typeof AreaTreeSchema>;

export const AuditEntrySchema = v.strictObject({
  id: v.string(),
  at: Instant,
  /** `cli` for `npm run admin` on the server. */
  actor: v.strictObject({ id: Text(40), username: Text(32), role: v.picklist([...ROLES, 'cli']) }),
  action: v.picklist(ADMIN_ACTIONS),
  /** A username, or a device id. */
  target: Text(40),
  /** What changed: roles and area codes, never a password, a phone number or a name. */
  details: v.record(v.string(), v.unknown()),
});
export type AuditEntry = v.InferOutput<typeof AuditEntrySchema>;

export const AuditListSchema = v.strictObject({ entries: v.array(AuditEntrySchema) });
export type AuditList = v.InferOutput<typeof AuditListSchema>;

// ---------------------------------------------------------------------------------------------
// Checking

/**
 * The first problem of a request body, its field's path and the refusal in words (Chinese first),
 * or null when the body is one of the schema's.
 */
export function requestProblem(schema: v.GenericSchema, value: unknown): { path: string; message: string } | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { path: 'body', message: '请求体应为 JSON 对象 (body: must be a JSON object)' };
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (r.success) return null;
  const issue = r.issues[0]!;
  const keys = (issue.path ?? []).map((p) => String(p.key));
  const path = keys.join('.');
  const field = keys[0] ?? 'body';
  if (issue.expected === 'never') return { path, message: `没有 ${shown(field)} 这一项 (${shown(field)}: is not a field of this request)` };
  if (issue.received === 'undefined' && keys.length === 1) return { path, message: words(field, '必填', 'is required') };
  return { path: path || field, message: issue.message };
}
