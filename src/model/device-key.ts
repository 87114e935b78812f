/**
 * The answer of `GET /api/device-key` (docs/sync.md): the recovery key of the signed-in user on
 * this device, with which the tablet wraps its profile's data key besides the PIN. The server's
 * tests check its answers with this schema, and the tablet checks what it receives before using it.
 */
import * as v from 'valibot';
import { firstProblem, type RecordProblem } from './records.ts';

/**
 * 32 bytes as unpadded base64url: 43 characters, the last of which carries only 4 bits of the key
 * (so only the 16 characters whose low 2 bits are zero may end it: the canonical encoding).
 */
export const DEVICE_KEY = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export const DeviceKeyResponseSchema = v.strictObject({
  key: v.pipe(v.string('must be text'), v.regex(DEVICE_KEY, 'must be 32 bytes as base64url (43 characters, no padding)')),
});

export type DeviceKeyResponse = v.InferOutput<typeof DeviceKeyResponseSchema>;

/** The first problem of an answer of `GET /api/device-key` (the field by its path), or null when it is one. */
export function checkDeviceKeyResponse(value: unknown): RecordProblem | null {
  return firstProblem(DeviceKeyResponseSchema, value);
}
