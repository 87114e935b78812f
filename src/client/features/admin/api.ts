/**
 * The county's administration (online only, src/server/admin.ts): accounts, their areas, devices
 * and the audit. Every request body is one of the schemas in src/model/admin.ts, and every answer
 * is checked against its schema before a screen shows it.
 */
import * as v from 'valibot';
import {
  AdminDeviceSchema,
  AdminUserSchema,
  AreaTreeSchema,
  AuditListSchema,
  DeviceListSchema,
  UserListSchema,
  type AdminDevice,
  type AdminUser,
  type AreaTree,
  type AuditEntry,
  type NewUserRequest,
} from '../../../model/admin.ts';
import type { Role } from '../../../model/sync.ts';
import { ApiError, call } from '../../sync/api.ts';

/** An answer checked against its schema; one that is not is the server's fault, said so by code. */
function checked<S extends v.GenericSchema>(schema: S, value: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (!r.success) throw new ApiError(502, 'bad-answer', `the county's answer is not as expected: ${r.issues[0]?.message ?? ''}`);
  return r.output;
}

const user = (u: string) => `/api/admin/users/${encodeURIComponent(u)}`;
const send = (token: string, method: 'POST' | 'PUT', path: string, body?: object) => call<unknown>(path, { method, token, ...(body ? { body: JSON.stringify(body) } : {}) });

export const adminApi = {
  users: async (token: string): Promise<AdminUser[]> => checked(UserListSchema, await call<unknown>('/api/admin/users', { token })).users,
  create: async (token: string, body: NewUserRequest): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'POST', '/api/admin/users', body)),
  disable: async (token: string, username: string): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'POST', `${user(username)}/disable`)),
  enable: async (token: string, username: string): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'POST', `${user(username)}/enable`)),
  password: async (token: string, username: string, password: string): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'POST', `${user(username)}/password`, { password })),
  areas: async (token: string, username: string, areas: string[]): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'PUT', `${user(username)}/areas`, { areas })),
  phone: async (token: string, username: string, phone: string | null): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'PUT', `${user(username)}/phone`, { phone })),
  role: async (token: string, username: string, role: Role): Promise<AdminUser> => checked(AdminUserSchema, await send(token, 'PUT', `${user(username)}/role`, { role })),
  devices: async (token: string): Promise<AdminDevice[]> => checked(DeviceListSchema, await call<unknown>('/api/admin/devices', { token })).devices,
  revoke: async (token: string, id: string): Promise<AdminDevice> => checked(AdminDeviceSchema, await send(token, 'POST', `/api/admin/devices/${encodeURIComponent(id)}/revoke`)),
  areaTree: async (token: string): Promise<AreaTree> => checked(AreaTreeSchema, await call<unknown>('/api/admin/areas', { token })),
  audit: async (token: string, limit: number): Promise<AuditEntry[]> => checked(AuditListSchema, await call<unknown>(`/api/admin/audit?limit=${limit}`, { token })).entries,
};
