import type { ByteRange } from '../ais/store';
import { S3Error } from './errors';

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against an object's size (RFC 9110 section 14): `a-b`, `a-`, `-n`. A header this
 * does not understand (other units, several ranges, a > b) is ignored and the whole object is sent, as S3
 * does; a range that starts past the end is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

function unsatisfiable(header: string, size: number): S3Error {
  return new S3Error('InvalidRange', undefined, { RangeRequested: header, ActualObjectSize: String(size) });
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
