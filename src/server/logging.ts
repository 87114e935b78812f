/**
 * The server's log (Fastify's pino): one line when a request comes and one when it is answered,
 * with the method, the path and the client's address, never a body, a header or a query string.
 * Personal data must never reach it: the authorization header, cookies and passwords are redacted
 * wherever they would appear, and anything in a path that looks like an ID number or a phone
 * number is masked. Errors are logged by their kind and code, never their text (which may quote
 * what was sent).
 */
import type { FastifyServerOptions } from 'fastify';

export const REDACTED = '[redacted]';

/** Paths pino censors, should any log call ever pass such an object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cunyi-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'password',
  'token',
  'idNumber',
  'name',
  'body',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.idNumber',
  '*.name',
  '*.body',
];

/**
 * A path as it may be logged: no query string, and runs of digits that could be an ID number
 * (15 or 18 characters, the last may be X) or a mobile number (11 digits from 1) masked.
 */
export function loggablePath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : `${url.slice(0, q)}?…`;
  return path
    .replace(/\d{17}[\dXx]|\d{15,}/g, REDACTED)
    .replace(/(?<!\d)1\d{10}(?!\d)/g, REDACTED)
    .slice(0, 300);
}

interface LoggedRequest {
  method: string;
  url: string;
  ip?: string;
  id?: string;
}

/** Fastify's logger options: info level, the redaction above, and requests reduced to what may be logged. */
export function loggerOptions(stream?: NodeJS.WritableStream): NonNullable<Exclude<FastifyServerOptions['logger'], boolean>> {
  return {
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: loggablePath(req.url), remoteAddress: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error & { code?: unknown; statusCode?: unknown }) => ({ type: err.name, code: err.code, statusCode: err.statusCode }),
    },
    ...(stream ? { stream } : {}),
  } as unknown as NonNullable<Exclude<FastifyServerOptions["logger"], boolean>>;
}
