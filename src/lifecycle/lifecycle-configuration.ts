import { S3Error } from '../s3/errors';
import { childElement, childElements, parseXml, textOf, type ParsedElement, type XmlElement } from '../s3/xml';

/** A tag a rule's filter requires: the object must carry this key with exactly this value. */
export interface LifecycleTag {
  key: string;
  value: string;
}

/**
 * Which objects a rule applies to: all of these must hold (an empty filter applies to every object). `legacyPrefix`
 * marks a rule written with the old rule-level `<Prefix>` instead of `<Filter>`, so GET answers it the same way.
 */
export interface LifecycleFilter {
  prefix?: string;
  tags: LifecycleTag[];
  sizeGreaterThan?: number;
  sizeLessThan?: number;
  /** How the filter was written, to give it back as it came: `Prefix` (rule level), or the Filter's own form. */
  form: 'legacy-prefix' | 'empty' | 'prefix' | 'tag' | 'and' | 'size-greater' | 'size-less';
}

/** One rule of a bucket's lifecycle configuration, as the stores keep it (JSON). */
export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/** S3 takes at most 1,000 rules per configuration. */
export const MAX_LIFECYCLE_RULES = 1000;
/** The largest lifecycle document read: 1,000 rules of a few KB each. */
export const MAX_LIFECYCLE_CONFIGURATION_BYTES = 2 * 1024 * 1024;
const MAX_ID_LENGTH = 255;
const MAX_PREFIX_LENGTH = 1024;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;
/** Day counts are 32-bit signed integers in S3's schema: a larger one does not validate. */
const MAX_DAYS = 2 ** 31 - 1;
/** S3 keeps at most 100 newer noncurrent versions per rule. */
const MAX_NEWER_NONCURRENT_VERSIONS = 100;

const REPEATED = ['Rule', 'Tag', 'Transition', 'NoncurrentVersionTransition'];

function invalidArgument(message: string): S3Error {
  return new S3Error('InvalidArgument', message);
}

/** A count of `element` in `action`: an integer (else the schema refuses it: MalformedXML) of at least 1. */
function parseCount(text: string | undefined, element: string, action: string): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new S3Error('MalformedXML');
  const value = Number(trimmed);
  if (value > MAX_DAYS) throw new S3Error('MalformedXML');
  if (value < 1) throw invalidArgument(`'${element}' for ${action} action must be a positive integer`);
  return value;
}

function parseSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,16}$/.test(text.trim())) throw new S3Error('MalformedXML');
  return Number(text.trim());
}

function checkPrefix(prefix: string): string {
  if (prefix.length > MAX_PREFIX_LENGTH) throw new S3Error('InvalidRequest', `The maximum size of a prefix is ${MAX_PREFIX_LENGTH}.`);
  return prefix;
}

function parseTag(element: ParsedElement): LifecycleTag {
  const key = textOf(element.Key);
  const value = textOf(element.Value);
  if (key === undefined || value === undefined) throw new S3Error('MalformedXML');
  if (key.length === 0 || [...key].length > MAX_TAG_KEY_LENGTH) throw new S3Error('InvalidRequest', 'The TagKey you have provided is invalid');
  if ([...value].length > MAX_TAG_VALUE_LENGTH) throw new S3Error('InvalidRequest', 'The TagValue you have provided is invalid');
  return { key, value };
}

/** The predicates an element (a Filter, or its And) names directly, in S3's element names. */
function predicatesOf(element: ParsedElement): string[] {
  return ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'].filter((name) => element[name] !== undefined);
}

function parseAnd(and: ParsedElement): LifecycleFilter {
  if (and.And !== undefined) throw new S3Error('MalformedXML');
  const prefix = textOf(and.Prefix);
  const tags = childElements(and, 'Tag').map(parseTag);
  const sizeGreaterThan = parseSize(textOf(and.ObjectSizeGreaterThan));
  const sizeLessThan = parseSize(textOf(and.ObjectSizeLessThan));
  // And joins at least two conditions; one alone belongs directly in the Filter.
  const count = (prefix !== undefined ? 1 : 0) + tags.length + (sizeGreaterThan !== undefined ? 1 : 0) + (sizeLessThan !== undefined ? 1 : 0);
  if (count < 2) throw new S3Error('MalformedXML');
  return { prefix: prefix === undefined ? undefined : checkPrefix(prefix), tags, sizeGreaterThan, sizeLessThan, form: 'and' };
}

function parseFilter(rule: ParsedElement): LifecycleFilter {
  const filter = childElement(rule, 'Filter');
  const legacy = textOf(rule.Prefix);
  if (filter !== undefined && legacy !== undefined) throw new S3Error('MalformedXML');
  if (filter === undefined) {
    if (legacy === undefined) throw new S3Error('MalformedXML');
    return { prefix: checkPrefix(legacy), tags: [], form: 'legacy-prefix' };
  }
  const present = predicatesOf(filter);
  if (present.length > 1) throw new S3Error('MalformedXML');
  if (childElements(filter, 'Tag').length > 1) throw new S3Error('MalformedXML');
  switch (present[0]) {
    case undefined:
      return { tags: [], form: 'empty' };
    case 'Prefix':
      return { prefix: checkPrefix(textOf(filter.Prefix) ?? ''), tags: [], form: 'prefix' };
    case 'Tag':
      return { tags: [parseTag(childElements(filter, 'Tag')[0])], form: 'tag' };
    case 'ObjectSizeGreaterThan':
      return { tags: [], sizeGreaterThan: parseSize(textOf(filter.ObjectSizeGreaterThan)), form: 'size-greater' };
    case 'ObjectSizeLessThan':
      return { tags: [], sizeLessThan: parseSize(textOf(filter.ObjectSizeLessThan)), form: 'size-less' };
    default:
      return parseAnd(childElement(filter, 'And') as ParsedElement);
  }
}

function parseExpiration(element: ParsedElement): NonNullable<LifecycleRule['expiration']> {
  const days = textOf(element.Days);
  const date = textOf(element.Date);
  const marker = textOf(element.ExpiredObjectDeleteMarker);
  // Exactly one of the three.
  if ([days, date, marker].filter((value) => value !== undefined).length !== 1) throw new S3Error('MalformedXML');
  if (days !== undefined) return { days: parseCount(days, 'Days', 'Expiration')! };
  if (date !== undefined) {
    const parsed = new Date(date.trim());
    if (Number.isNaN(parsed.getTime())) throw new S3Error('MalformedXML');
    if (parsed.getTime() % 86_400_000 !== 0) throw invalidArgument("'Date' must be at midnight GMT");
    return { date: parsed.toISOString() };
  }
  const flag = marker!.trim();
  if (flag !== 'true' && flag !== 'false') throw new S3Error('MalformedXML');
  return { expiredObjectDeleteMarker: flag === 'true' };
}

function parseRule(rule: ParsedElement): LifecycleRule {
  const id = textOf(rule.ID) ?? '';
  if (id.length > MAX_ID_LENGTH) throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_ID_LENGTH}`);
  const status = textOf(rule.Status)?.trim();
  if (status !== 'Enabled' && status !== 'Disabled') throw new S3Error('MalformedXML');
  // Transitions move objects to another storage class; this gateway has one (STANDARD).
  if (rule.Transition !== undefined || rule.NoncurrentVersionTransition !== undefined) throw new S3Error('InvalidStorageClass');
  const filter = parseFilter(rule);
  const parsed: LifecycleRule = { id, enabled: status === 'Enabled', filter };
  const expiration = childElement(rule, 'Expiration');
  if (expiration !== undefined) parsed.expiration = parseExpiration(expiration);
  const noncurrent = childElement(rule, 'NoncurrentVersionExpiration');
  if (noncurrent !== undefined) {
    const days = parseCount(textOf(noncurrent.NoncurrentDays), 'NoncurrentDays', 'NoncurrentVersionExpiration');
    if (days === undefined) throw new S3Error('MalformedXML');
    const newer = parseCount(textOf(noncurrent.NewerNoncurrentVersions), 'NewerNoncurrentVersions', 'NoncurrentVersionExpiration');
    if (newer !== undefined && newer > MAX_NEWER_NONCURRENT_VERSIONS) {
      throw invalidArgument(`'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be less than or equal to ${MAX_NEWER_NONCURRENT_VERSIONS}`);
    }
    parsed.noncurrentVersionExpiration = { noncurrentDays: days, ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}) };
  }
  const abort = childElement(rule, 'AbortIncompleteMultipartUpload');
  if (abort !== undefined) {
    const days = parseCount(textOf(abort.DaysAfterInitiation), 'DaysAfterInitiation', 'AbortIncompleteMultipartUpload');
    if (days === undefined) throw new S3Error('MalformedXML');
    // Uploads have no tags to filter by.
    if (filter.tags.length > 0) throw new S3Error('InvalidRequest', 'AbortIncompleteMultipartUpload cannot be specified with Tags.');
    parsed.abortIncompleteMultipartUpload = { daysAfterInitiation: days };
  }
  if (parsed.expiration?.expiredObjectDeleteMarker === true && filter.tags.length > 0) {
    throw new S3Error('InvalidRequest', 'ExpiredObjectDeleteMarker cannot be specified with Tags.');
  }
  if (parsed.expiration === undefined && parsed.noncurrentVersionExpiration === undefined && parsed.abortIncompleteMultipartUpload === undefined) {
    throw new S3Error('InvalidRequest', 'At least one action needs to be specified in a rule.');
  }
  return parsed;
}

/**
 * Parses and validates PutBucketLifecycleConfiguration's LifecycleConfiguration; throws the S3 error S3 answers for
 * what is wrong. A rule without an ID gets a generated one, as S3 gives it.
 */
export function parseLifecycleConfiguration(text: string, newId: () => string): LifecycleRule[] {
  const root = childElement(parseXml(text, REPEATED), 'LifecycleConfiguration');
  if (root === undefined) throw new S3Error('MalformedXML');
  const elements = childElements(root, 'Rule');
  if (elements.length === 0 || elements.length > MAX_LIFECYCLE_RULES) throw new S3Error('MalformedXML');
  const rules = elements.map(parseRule);
  const ids = new Set<string>();
  for (const rule of rules) {
    if (rule.id === '') rule.id = newId();
    if (ids.has(rule.id)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(rule.id);
  }
  return rules;
}

function tagXml(tag: LifecycleTag): XmlElement {
  return { Key: tag.key, Value: tag.value };
}

function filterXml(filter: LifecycleFilter): XmlElement {
  switch (filter.form) {
    case 'legacy-prefix':
    case 'empty':
      return {};
    case 'prefix':
      return { Prefix: filter.prefix };
    case 'tag':
      return { Tag: tagXml(filter.tags[0]) };
    case 'size-greater':
      return { ObjectSizeGreaterThan: filter.sizeGreaterThan };
    case 'size-less':
      return { ObjectSizeLessThan: filter.sizeLessThan };
    case 'and':
      return {
        And: {
          Prefix: filter.prefix,
          Tag: filter.tags.length > 0 ? filter.tags.map(tagXml) : undefined,
          ObjectSizeGreaterThan: filter.sizeGreaterThan,
          ObjectSizeLessThan: filter.sizeLessThan,
        },
      };
  }
}

/** GetBucketLifecycleConfiguration's content: the rules in their order, each as it was put. */
export function lifecycleConfigurationXml(rules: readonly LifecycleRule[]): XmlElement {
  return {
    Rule: rules.map((rule) => {
      const expiration = rule.expiration;
      return {
        ID: rule.id,
        ...(rule.filter.form === 'legacy-prefix' ? { Prefix: rule.filter.prefix } : { Filter: filterXml(rule.filter) }),
        Status: rule.enabled ? 'Enabled' : 'Disabled',
        Expiration:
          expiration === undefined
            ? undefined
            : {
                Days: expiration.days,
                Date: expiration.date !== undefined ? expiration.date.replace('.000Z', 'Z') : undefined,
                ExpiredObjectDeleteMarker: expiration.expiredObjectDeleteMarker,
              },
        NoncurrentVersionExpiration:
          rule.noncurrentVersionExpiration === undefined
            ? undefined
            : {
                NoncurrentDays: rule.noncurrentVersionExpiration.noncurrentDays,
                NewerNoncurrentVersions: rule.noncurrentVersionExpiration.newerNoncurrentVersions,
              },
        AbortIncompleteMultipartUpload:
          rule.abortIncompleteMultipartUpload === undefined ? undefined : { DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation },
      };
    }),
  };
}
