import { awsSigningKeyExample } from '../../test/fixtures/sigv4';
import {
  clearSigningKeyCache,
  credentialScope,
  deriveSigningKey,
  sign,
  signaturesEqual,
  signingKey,
  SIGNING_KEY_CACHE_SIZE,
  signingKeyCacheSize,
} from './signing-key';

describe('signing key', () => {
  beforeEach(() => clearSigningKeyCache());

  it('derives the key AWS documents', () => {
    const example = awsSigningKeyExample();
    expect(deriveSigningKey(example.secret, example.date, example.region, example.service).toString('hex')).toBe(example.signingKey);
    expect(signingKey(example.secret, example.date, example.region, example.service).toString('hex')).toBe(example.signingKey);
  });

  it('caches per (secret, date, region, service)', () => {
    const a = signingKey('secret', '20240101', 'us-east-1', 's3');
    expect(signingKey('secret', '20240101', 'us-east-1', 's3')).toBe(a);
    for (const [secret, date, region, service] of [
      ['secret2', '20240101', 'us-east-1', 's3'],
      ['secret', '20240102', 'us-east-1', 's3'],
      ['secret', '20240101', 'eu-west-1', 's3'],
      ['secret', '20240101', 'us-east-1', 'iam'],
    ]) {
      const other = signingKey(secret, date, region, service);
      expect(other.equals(a)).toBe(false);
      expect(other.equals(deriveSigningKey(secret, date, region, service))).toBe(true);
    }
    expect(signingKeyCacheSize()).toBe(5);
  });

  it('is bounded, evicting the least recently used entry', () => {
    const first = signingKey('s0', '20240101', 'r', 's3');
    for (let i = 1; i < SIGNING_KEY_CACHE_SIZE; i++) signingKey(`s${i}`, '20240101', 'r', 's3');
    expect(signingKey('s0', '20240101', 'r', 's3')).toBe(first); // now the most recent
    signingKey('one-more', '20240101', 'r', 's3'); // evicts s1, the least recently used
    expect(signingKeyCacheSize()).toBe(SIGNING_KEY_CACHE_SIZE);
    expect(signingKey('s0', '20240101', 'r', 's3')).toBe(first);
    const s2 = signingKey('s2', '20240101', 'r', 's3');
    expect(signingKey('s2', '20240101', 'r', 's3')).toBe(s2);
    const before = signingKeyCacheSize();
    signingKey('s1', '20240101', 'r', 's3'); // was evicted: derived again and added
    expect(signingKeyCacheSize()).toBe(before);
  });

  it('builds the credential scope', () => {
    expect(credentialScope('20130524', 'us-east-1', 's3')).toBe('20130524/us-east-1/s3/aws4_request');
  });
});

describe('signaturesEqual', () => {
  const key = deriveSigningKey('secret', '20240101', 'us-east-1', 's3');
  const good = sign(key, 'string to sign');

  it('accepts the same signature', () => {
    expect(signaturesEqual(good, good)).toBe(true);
  });

  it('refuses any other, including malformed ones, without throwing', () => {
    const flipped = `${good.slice(0, 10)}${good[10] === '0' ? '1' : '0'}${good.slice(11)}`;
    for (const other of [flipped, good.toUpperCase(), good.slice(1), `${good}0`, '', 'zz'.repeat(32), undefined]) {
      expect(signaturesEqual(good, other)).toBe(false);
    }
  });
});
