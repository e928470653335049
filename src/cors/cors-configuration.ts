import { S3Error } from '../s3/errors';
import type { XmlElement } from '../s3/xml';
import { childElement, childElements, parseXml, textOf, type ParsedElement } from '../s3/xml';

/** The methods a CORS rule may allow (S3 API reference, CORSRule: AllowedMethod). */
export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];

/** One CORSRule of a bucket's CORS configuration, as the stores keep it. */
export interface CorsRule {
  id?: string;
  /** Origins, each with at most one `*` wildcard (`https://*.example.com`, or `*` for any). */
  allowedOrigins: string[];
  allowedMethods: CorsMethod[];
  /** Headers a preflight may ask for, case-insensitive, each with at most one `*` wildcard. */
  allowedHeaders: string[];
  /** Response headers a browser lets the page read. */
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** S3 keeps at most this many rules per bucket. */
export const MAX_CORS_RULES = 100;
/** S3 takes CORS configurations of up to 64 KB. */
export const MAX_CORS_CONFIGURATION_BYTES = 64 * 1024;
const MAX_ID_LENGTH = 255;

const REPEATED = ['CORSRule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader'];

/** Visible ASCII only: every value may end up in a response header. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export function isCorsMethod(value: string): value is CorsMethod {
  return (CORS_METHODS as readonly string[]).includes(value);
}

function wildcardCount(value: string): number {
  return value.split('*').length - 1;
}

function values(rule: ParsedElement, name: string): string[] {
  return childElements(rule, name).map((element) => (textOf(element) ?? '').trim());
}

function checkValue(kind: string, value: string): void {
  if (value === '') throw new S3Error('MalformedXML');
  if (!HEADER_SAFE.test(value)) throw new S3Error('InvalidRequest', `${kind} "${value}" contains invalid character.`);
}

/** An origin as a rule or CORS_ALLOWED_ORIGINS names it: visible ASCII with at most one `*`. */
export function checkAllowedOrigin(origin: string): void {
  checkValue('AllowedOrigin', origin);
  if (wildcardCount(origin) > 1) throw new S3Error('InvalidRequest', `AllowedOrigin "${origin}" can not have more than one wildcard.`);
}

function parseMaxAge(rule: ParsedElement): number | undefined {
  const text = textOf(rule.MaxAgeSeconds);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text.trim())) throw new S3Error('MalformedXML');
  return Number(text.trim());
}

function parseRule(rule: ParsedElement): CorsRule {
  const allowedOrigins = values(rule, 'AllowedOrigin');
  const allowedMethods = values(rule, 'AllowedMethod');
  // The schema requires both in every rule.
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) throw new S3Error('MalformedXML');
  for (const method of allowedMethods) {
    if (!isCorsMethod(method)) throw new S3Error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
  }
  allowedOrigins.forEach(checkAllowedOrigin);
  const allowedHeaders = values(rule, 'AllowedHeader');
  for (const header of allowedHeaders) {
    checkValue('AllowedHeader', header);
    if (wildcardCount(header) > 1) throw new S3Error('InvalidRequest', `AllowedHeader "${header}" can not have more than one wildcard.`);
  }
  const exposeHeaders = values(rule, 'ExposeHeader');
  for (const header of exposeHeaders) {
    checkValue('ExposeHeader', header);
    if (header.includes('*')) {
      throw new S3Error('InvalidRequest', `ExposeHeader "${header}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
    }
  }
  const id = textOf(rule.ID);
  if (id !== undefined && id.length > MAX_ID_LENGTH) {
    throw new S3Error('InvalidRequest', `The ID value can be up to ${MAX_ID_LENGTH} characters long. Invalid ID is "${id}"`);
  }
  return {
    id: id === undefined || id === '' ? undefined : id,
    allowedOrigins,
    allowedMethods: allowedMethods as CorsMethod[],
    allowedHeaders,
    exposeHeaders,
    maxAgeSeconds: parseMaxAge(rule),
  };
}

/** Parses and validates PutBucketCors' CORSConfiguration; throws the S3 error S3 answers for what is wrong. */
export function parseCorsConfiguration(text: string): CorsRule[] {
  const root = childElement(parseXml(text, REPEATED), 'CORSConfiguration');
  if (root === undefined) throw new S3Error('MalformedXML');
  const rules = childElements(root, 'CORSRule');
  if (rules.length === 0) throw new S3Error('MalformedXML');
  if (rules.length > MAX_CORS_RULES) {
    throw new S3Error('InvalidRequest', `The number of CORS rules should not exceed allowed limit of ${MAX_CORS_RULES} rules.`);
  }
  return rules.map(parseRule);
}

function listOrNothing(items: readonly string[]): string[] | undefined {
  return items.length > 0 ? [...items] : undefined;
}

/** GetBucketCors' CORSConfiguration content, the rules in their order. */
export function corsConfigurationXml(rules: readonly CorsRule[]): XmlElement {
  return {
    CORSRule: rules.map((rule) => ({
      ID: rule.id,
      AllowedHeader: listOrNothing(rule.allowedHeaders),
      AllowedMethod: [...rule.allowedMethods],
      AllowedOrigin: [...rule.allowedOrigins],
      ExposeHeader: listOrNothing(rule.exposeHeaders),
      MaxAgeSeconds: rule.maxAgeSeconds,
    })),
  };
}
