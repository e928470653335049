import type { CorsRule } from './cors-configuration';
import { CORS_VARY, corsHeaders, findRule, requestedHeaders, wildcardMatches } from './cors-rules';

const rule = (overrides: Partial<CorsRule>): CorsRule => ({
  allowedOrigins: ['*'],
  allowedMethods: ['GET'],
  allowedHeaders: [],
  exposeHeaders: [],
  ...overrides,
});

describe('wildcardMatches', () => {
  it.each([
    ['*', 'https://anything.test', true],
    ['https://*.example.com', 'https://app.example.com', true],
    ['https://*.example.com', 'https://a.b.example.com', true],
    ['https://*.example.com', 'https://example.com', false],
    ['https://*.example.com', 'http://app.example.com', false],
    ['https://*.example.com', 'https://app.example.com.evil.test', false],
    ['http://localhost:*', 'http://localhost:3000', true],
    ['https://app.example.com', 'https://app.example.com', true],
    ['https://app.example.com', 'https://app.example.com:8443', false],
    ['a*a', 'a', false],
  ])('%s against %s: %s', (pattern, value, expected) => {
    expect(wildcardMatches(pattern, value)).toBe(expected);
  });
});

describe('requestedHeaders', () => {
  it('lowercases, trims and drops empty entries', () => {
    expect(requestedHeaders(' X-Amz-Date ,content-type,, Authorization')).toEqual(['x-amz-date', 'content-type', 'authorization']);
    expect(requestedHeaders(undefined)).toEqual([]);
  });
});

describe('findRule', () => {
  const rules = [
    rule({ id: 'reads', allowedOrigins: ['https://*.example.com'], allowedMethods: ['GET', 'HEAD'] }),
    rule({ id: 'uploads', allowedOrigins: ['https://app.example.com'], allowedMethods: ['PUT', 'POST'], allowedHeaders: ['x-amz-*', 'Content-Type'] }),
    rule({ id: 'anyone', allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: ['*'] }),
  ];

  it('answers from the first rule that admits origin, method and every requested header', () => {
    expect(findRule(rules, { origin: 'https://app.example.com', method: 'GET' })?.rule.id).toBe('reads');
    expect(findRule(rules, { origin: 'https://app.example.com', method: 'PUT', headers: ['x-amz-date', 'content-type'] })?.rule.id).toBe('uploads');
    // The first rule admits origin and method but not the header: the next one that admits all three answers.
    expect(findRule(rules, { origin: 'https://app.example.com', method: 'GET', headers: ['range'] })?.rule.id).toBe('anyone');
  });

  it('compares header names case-insensitively, against patterns in any case', () => {
    expect(findRule(rules, { origin: 'https://app.example.com', method: 'PUT', headers: ['x-amz-meta-a', 'content-type'] })?.rule.id).toBe('uploads');
    expect(findRule([rule({ allowedHeaders: ['X-Custom-*'] })], { origin: 'https://o.test', method: 'GET', headers: ['x-custom-a'] })).toBeDefined();
  });

  it('admits nothing when no rule has the origin, the method, or one of the headers', () => {
    expect(findRule(rules, { origin: 'https://app.example.com', method: 'DELETE' })).toBeUndefined();
    expect(findRule(rules, { origin: 'https://evil.test', method: 'PUT' })).toBeUndefined();
    expect(findRule(rules, { origin: 'https://app.example.com', method: 'PUT', headers: ['x-amz-date', 'authorization'] })).toBeUndefined();
  });

  it('answers `*` for a rule whose origin is `*`, else the request origin', () => {
    expect(findRule(rules, { origin: 'https://other.test', method: 'GET' })?.allowOrigin).toBe('*');
    expect(findRule(rules, { origin: 'https://a.example.com', method: 'GET' })?.allowOrigin).toBe('https://a.example.com');
  });
});

describe('corsHeaders', () => {
  const full = rule({ allowedOrigins: ['https://app.test'], allowedMethods: ['PUT', 'GET'], exposeHeaders: ['ETag', 'x-amz-version-id'], maxAgeSeconds: 600 });

  it("answers a preflight with the rule's methods, expose headers, max age and the headers asked for", () => {
    expect(corsHeaders({ rule: full, allowOrigin: 'https://app.test' }, ['x-amz-date', 'content-type'])).toEqual({
      'access-control-allow-origin': 'https://app.test',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'PUT, GET',
      'access-control-allow-headers': 'x-amz-date, content-type',
      'access-control-expose-headers': 'ETag, x-amz-version-id',
      'access-control-max-age': '600',
      vary: CORS_VARY,
    });
  });

  it('leaves out what the rule does not have, and credentials for any origin', () => {
    expect(corsHeaders({ rule: rule({}), allowOrigin: '*' })).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET',
      vary: CORS_VARY,
    });
  });
});
