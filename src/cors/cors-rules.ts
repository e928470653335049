import type { CorsMethod, CorsRule } from './cors-configuration';

/** What the answer's CORS headers depend on: caches must keep one answer per value of these. */
export const CORS_VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/** `pattern` with at most one `*` (any run of characters, empty included) matches `value`. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return value.length >= prefix.length + suffix.length && value.startsWith(prefix) && value.endsWith(suffix);
}

/** The first of the rule's origins that admits `origin` (exact, or by its wildcard); undefined when none does. */
function matchingOrigin(rule: CorsRule, origin: string): string | undefined {
  return rule.allowedOrigins.find((pattern) => wildcardMatches(pattern, origin));
}

/** Header names compare case-insensitively. */
function headerAllowed(rule: CorsRule, header: string): boolean {
  return rule.allowedHeaders.some((pattern) => wildcardMatches(pattern.toLowerCase(), header));
}

/** Access-Control-Request-Headers as a list of lowercased names (empty entries dropped). */
export function requestedHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/** What a request asks of the CORS rules: a preflight names the headers it will send, an actual request none. */
export interface CorsQuestion {
  origin: string;
  method: CorsMethod;
  headers?: readonly string[];
}

/** The rule S3 answers from: the first whose origins, methods and allowed headers admit the request. */
export function findRule(rules: readonly CorsRule[], question: CorsQuestion): { rule: CorsRule; allowOrigin: string } | undefined {
  for (const rule of rules) {
    const pattern = matchingOrigin(rule, question.origin);
    if (pattern === undefined || !rule.allowedMethods.includes(question.method)) continue;
    if (!(question.headers ?? []).every((header) => headerAllowed(rule, header))) continue;
    return { rule, allowOrigin: pattern === '*' ? '*' : question.origin };
  }
  return undefined;
}

/**
 * The headers an answer carries for a matched rule. A rule that admits any origin (`*`) answers `*` and no
 * credentials; one naming origins echoes the request's and allows credentials, as S3 does. A preflight also
 * answers the headers it asked for.
 */
export function corsHeaders(match: { rule: CorsRule; allowOrigin: string }, preflightHeaders?: readonly string[]): Record<string, string> {
  const { rule, allowOrigin } = match;
  const headers: Record<string, string> = { 'access-control-allow-origin': allowOrigin };
  if (allowOrigin !== '*') headers['access-control-allow-credentials'] = 'true';
  headers['access-control-allow-methods'] = rule.allowedMethods.join(', ');
  if (preflightHeaders !== undefined && preflightHeaders.length > 0) headers['access-control-allow-headers'] = preflightHeaders.join(', ');
  if (rule.exposeHeaders.length > 0) headers['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.maxAgeSeconds);
  headers.vary = CORS_VARY;
  return headers;
}
