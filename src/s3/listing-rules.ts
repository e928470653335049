/**
 * S3's listing rules, the same whichever store holds the keys: keys list in the byte order of their UTF-8
 * encoding, and with a delimiter every key that has the delimiter after the prefix rolls up into one
 * common prefix.
 */

/** S3's listing order: the byte order of the keys' UTF-8 encodings (not JavaScript's UTF-16 order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The common prefix `key` rolls up into under `delimiter`, if any. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
