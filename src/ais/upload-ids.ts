import { randomBytes } from 'node:crypto';

/**
 * Multipart upload ids, the same for every backend: 9 base-36 digits of the creation time in ms (so the ids
 * of one key sort oldest first, as S3 lists uploads, and an id says when its upload was made), then 16
 * random base64url characters (96 bits). Only `0-9 a-z A-Z _ -`: an id can stand in an AIS object name or
 * an LMDB key as it is.
 */
const UPLOAD_ID = /^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/;
const TIME_DIGITS = 9;

export function newUploadId(now = Date.now()): string {
  return now.toString(36).padStart(TIME_DIGITS, '0') + randomBytes(12).toString('base64url');
}

/** Whether a client-supplied upload id can be one of ours; anything else never names an upload. */
export function isUploadId(value: string): boolean {
  return UPLOAD_ID.test(value);
}

/** When the upload was created, as its id says. */
export function initiatedOf(uploadId: string): Date {
  return new Date(parseInt(uploadId.slice(0, TIME_DIGITS), 36));
}
