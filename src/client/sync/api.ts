/** Calls to the county server, with the protocol version and the session token. */
import { checkDeviceKeyResponse, type DeviceKeyResponse } from '../../model/device-key.ts';
import { PROTOCOL_VERSION, type Mutation, type PullResponse, type PushResponse, type Role } from '../../model/sync.ts';
import { refusalWords } from './error-words.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error body (path, and for an upload the bytes received). */
    readonly detail: { path?: string; received?: number; retryAfter?: number } | null = null,
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

/** A path of the county server's API as a full address (for a download). */
export function apiUrl(path: string): string {
  return base + path;
}

/** `answers`: statuses besides 2xx whose body is the answer (a refused import's report comes with 422). */
export async function call<T>(path: string, init: RequestInit & { token?: string | null; answers?: readonly number[] } = {}): Promise<T> {
  const headers: Record<string, string> = { 'x-cunyi-protocol': String(PROTOCOL_VERSION) };
  if (typeof init.body === 'string') headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    const { answers: _answers, ...rest } = init;
    res = await fetch(base + path, { ...rest, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  } catch (e) {
    throw new OfflineError((e as Error).message);
  }
  const body = (await res.json().catch(() => null)) as ({ error?: { code: string; message: string; path?: string; received?: number } } & T) | null;
  if (!res.ok && !init.answers?.includes(res.status)) {
    // 501: the server is older than the app; 507: the server is out of storage (the outbox waits). Both say so by code.
    if (res.status >= 500 && res.status !== 501 && res.status !== 507) throw new OfflineError(`server error ${res.status}`);
    const retryAfter = Number(res.headers.get('retry-after'));
    const detail = { ...(body?.error ?? {}), ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}) };
    const code = body?.error?.code ?? 'http';
    throw new ApiError(res.status, code, refusalWords(res.status, code, body?.error?.message ?? `HTTP ${res.status}`, body?.error?.path), detail);
  }
  return body as T;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: { username: string; role: Role; areas: string[] };
}

/** The county's view of an upload: how many bytes it holds, and whether it verified the whole photo. */
export interface UploadState {
  received: number;
  complete: boolean;
}

export const api = {
  uploadStatus: async (token: string, sha256: string): Promise<UploadState> => {
    try {
      return await call<UploadState>(`/api/sync/uploads/${sha256}`, { token });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return { received: 0, complete: false };
      throw e;
    }
  },
  uploadChunk: (token: string, sha256: string, size: number, mime: string, offset: number, chunk: Blob) =>
    call<UploadState>(`/api/sync/uploads/${sha256}`, {
      method: 'PUT',
      token,
      body: chunk,
      headers: { 'content-type': 'application/octet-stream', 'x-cunyi-size': String(size), 'x-cunyi-mime': mime, 'x-cunyi-offset': String(offset) },
    }),
  /** This user's recovery key for this device, which wraps the profile's data key (profiles/keys.ts). */
  deviceKey: async (token: string): Promise<DeviceKeyResponse> => {
    const r = await call<unknown>('/api/device-key', { token });
    const problem = checkDeviceKeyResponse(r);
    if (problem) throw new ApiError(502, 'bad-answer', `device key: ${problem.path} ${problem.message}`);
    return r as DeviceKeyResponse;
  },
  login: (username: string, password: string, deviceId: string, deviceName: string) =>
    call<LoginResult>('/api/login', { method: 'POST', body: JSON.stringify({ username, password, deviceId, deviceName }) }),
  pull: (token: string, since: number, limit: number, count = true) => call<PullResponse>(`/api/sync/pull?since=${since}&limit=${limit}${count ? '' : '&count=0'}`, { token }),
  push: (token: string, deviceId: string, mutations: Mutation[]) =>
    call<PushResponse>('/api/sync/push', { method: 'POST', token, body: JSON.stringify({ protocol: PROTOCOL_VERSION, deviceId, mutations }) }),
};
