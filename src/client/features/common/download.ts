/** Files of the county server's (exports, the import template) fetched with the session and handed to the browser. */
import { ApiError, apiUrl, OfflineError } from '../../sync/api.ts';

/** The file name the server gives (RFC 6266 filename*, else filename), or the fallback. */
function nameOf(disposition: string | null, fallback: string): string {
  const star = disposition?.match(/filename\*=UTF-8''([^;]+)/i);
  if (star) {
    try {
      return decodeURIComponent(star[1]!);
    } catch {
      /* a malformed name: the plain one, or the fallback */
    }
  }
  return disposition?.match(/filename="([^"]+)"/)?.[1] ?? fallback;
}

/**
 * Fetches `path` with the session and saves it as a download; returns the name and size saved. A
 * refusal (400, 403) is an ApiError with the server's words; a network failure an OfflineError.
 */
export async function download(token: string, path: string, fallback: string): Promise<{ fileName: string; bytes: number }> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    throw new OfflineError((e as Error).message);
  }
  if (!res.ok) {
    if (res.status >= 500) throw new OfflineError(`server error ${res.status}`);
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; path?: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? 'http', body?.error?.message ?? `HTTP ${res.status}`, body?.error ? { ...(body.error.path ? { path: body.error.path } : {}) } : null);
  }
  const blob = await res.blob();
  const fileName = nameOf(res.headers.get('content-disposition'), fallback);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { fileName, bytes: blob.size };
}
