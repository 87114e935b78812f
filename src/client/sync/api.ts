/** Calls to the county server, with the protocol version and the session token. */
import { PROTOCOL_VERSION, type Mutation, type PullResponse, type PushResponse, type Role } from '../../model/sync.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The network failed (offline, server down, connection dropped): try again later. */
export class OfflineError extends Error {}

let base = '';
/** The county server's address; the app is served by it, so by default the same origin. */
export function setApiBase(url: string): void {
  base = url.replace(/\/$/, '');
}

async function call<T>(path: string, init: RequestInit & { token?: string | null } = {}): Promise<T> {
  const headers: Record<string, string> = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };
  if (init.body) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    res = await fetch(base + path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  } catch (e) {
    throw new OfflineError((e as Error).message);
  }
  const body = (await res.json().catch(() => null)) as ({ error?: { code: string; message: string } } & T) | null;
  if (!res.ok) {
    if (res.status >= 500 && res.status !== 501) throw new OfflineError(`server error ${res.status}`);
    throw new ApiError(res.status, body?.error?.code ?? 'http', body?.error?.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: { username: string; role: Role; areas: string[] };
}

export const api = {
  login: (username: string, password: string, deviceId: string, deviceName: string) =>
    call<LoginResult>('/api/login', { method: 'POST', body: JSON.stringify({ username, password, deviceId, deviceName }) }),
  pull: (token: string, since: number, limit = 2_000) => call<PullResponse>(`/api/sync/pull?since=${since}&limit=${limit}`, { token }),
  push: (token: string, deviceId: string, mutations: Mutation[]) =>
    call<PushResponse>('/api/sync/push', { method: 'POST', token, body: JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId, mutations }) }),
};
