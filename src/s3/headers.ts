import type { IncomingHttpHeaders } from 'node:http';

/** A header's value as S3 reads it: the first one when a client repeats the header. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
