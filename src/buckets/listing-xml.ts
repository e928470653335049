/**
 * The ListBucketResult document of ListObjects and ListObjectsV2, written straight into one string.
 *
 * A 1000-key page through xml-js (`toXml`) cost about 80% of the request's CPU (docs/performance.md, "Embedded
 * listing"): it builds an object per entry, walks every one of them twice and escapes each text several times.
 * This writer gives byte for byte the document toXml gives for the same fields (src/buckets/listing-xml.spec.ts
 * checks that on random pages): elements in the order given, an element whose value is undefined left out, an
 * empty text written as `<Name/>`, `&`, `<` and `>` escaped, and a carriage return written as `&#13;` (a literal
 * one would reach the client's parser as a line feed). xml-js still serialises every other document and parses
 * request bodies.
 */
import type { Owner } from '../access/principal';
import { S3_XMLNS } from '../s3/xml';

/** The text of a leaf element; undefined: the element is left out. */
export type LeafValue = string | number | boolean | undefined;

/** One `<Contents>` entry, its fields already as S3 shows them (key encoded for encoding-type=url, ETag quoted). */
export interface ListedEntry {
  Key: string;
  LastModified: string;
  ETag: string;
  Size: number;
  StorageClass: string;
  /** Only with fetch-owner (V2) and always in V1. */
  Owner?: Owner;
}

const NEEDS_ESCAPE = /[&<>\r]/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/** XML text as toXml writes it (see the file comment). */
export function escapeXmlText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>\r]/g, (char) => ESCAPES[char]) : text;
}

function leaf(name: string, value: LeafValue): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? escapeXmlText(value) : String(value);
  return text === '' ? `<${name}/>` : `<${name}>${text}</${name}>`;
}

function contentsEntry(entry: ListedEntry): string {
  const owner = entry.Owner === undefined ? '' : `<Owner>${leaf('ID', entry.Owner.ID)}${leaf('DisplayName', entry.Owner.DisplayName)}</Owner>`;
  return `<Contents>${leaf('Key', entry.Key)}${leaf('LastModified', entry.LastModified)}${leaf('ETag', entry.ETag)}${leaf('Size', entry.Size)}${leaf('StorageClass', entry.StorageClass)}${owner}</Contents>`;
}

/**
 * `<ListBucketResult>`: the leading fields in the order given, then every `<Contents>`, every `<CommonPrefixes>`
 * (prefixes already encoded as the request asked), then the trailing fields.
 */
export function listBucketResultXml(
  leading: ReadonlyArray<readonly [string, LeafValue]>,
  contents: readonly ListedEntry[],
  commonPrefixes: readonly string[],
  trailing: ReadonlyArray<readonly [string, LeafValue]> = [],
): string {
  let xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="${S3_XMLNS}">`;
  for (const [name, value] of leading) xml += leaf(name, value);
  for (const entry of contents) xml += contentsEntry(entry);
  for (const prefix of commonPrefixes) xml += `<CommonPrefixes>${leaf('Prefix', prefix)}</CommonPrefixes>`;
  for (const [name, value] of trailing) xml += leaf(name, value);
  return `${xml}</ListBucketResult>`;
}
