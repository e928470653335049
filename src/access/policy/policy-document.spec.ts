import { derivedCanonicalId } from '../../auth/credentials';
import { ANONYMOUS, type Principal } from '../principal';
import { S3_OPERATIONS } from '../../s3/routes';
import { requiredActions } from './actions';
import type { ConditionValues } from './conditions';
import { evaluatePolicy } from './evaluate';
import { MAX_POLICY_BYTES, parsePolicy } from './policy-document';
import { isPublicPolicy } from './policy-status';

const ALICE: Principal = { kind: 'user', accessKeyId: 'AKIAALICE', canonicalId: derivedCanonicalId('AKIAALICE'), displayName: 'alice', admin: false };

function policy(statement: Record<string, unknown> | unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statement, ...extra });
}

const GET_ALL = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bk/*' };

function verdict(document: string, conditions: ConditionValues, principal: Principal = ALICE, action = 's3:GetObject', resource = 'arn:aws:s3:::bk/k') {
  return evaluatePolicy(parsePolicy(document, 'bk'), { principal, action, resource, conditions });
}

describe('parsePolicy', () => {
  it.each([
    ['not JSON', '{"Version": ', 'This policy contains invalid Json'],
    ['a JSON array', '[]', 'This policy contains invalid Json'],
    ['an unknown top-level field', policy(GET_ALL, { Foo: 1 }), 'Unknown field Foo'],
    ['an unknown version', policy(GET_ALL, { Version: '2020-01-01' }), 'The policy must contain a valid version string'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
    ['an empty Statement', policy([]), 'Missing required field Statement'],
    ['a statement that is not an object', policy(['x']), 'Could not parse the policy: Statement is not well formatted.'],
    ['an unknown statement field', policy({ ...GET_ALL, Foo: 1 }), 'Unknown field Foo'],
    ['no Effect', policy({ ...GET_ALL, Effect: undefined }), 'Missing required field Effect'],
    ['a bad Effect', policy({ ...GET_ALL, Effect: 'Alow' }), 'Invalid effect: Alow'],
    ['no Principal', policy({ ...GET_ALL, Principal: undefined }), 'Missing required field Principal'],
    ['Principal and NotPrincipal', policy({ ...GET_ALL, NotPrincipal: '*' }), "Statement can't have both Principal and NotPrincipal"],
    ['a Principal that is not * or an object', policy({ ...GET_ALL, Principal: 'alice' }), 'Invalid principal in policy'],
    ['a Service principal', policy({ ...GET_ALL, Principal: { Service: 'cloudfront.amazonaws.com' } }), 'Invalid principal in policy'],
    ['an account principal', policy({ ...GET_ALL, Principal: { AWS: '123456789012' } }), 'Invalid principal in policy'],
    ['a role ARN', policy({ ...GET_ALL, Principal: { AWS: 'arn:aws:iam::123456789012:role/r' } }), 'Invalid principal in policy'],
    ['a bad canonical id', policy({ ...GET_ALL, Principal: { CanonicalUser: 'abc' } }), 'Invalid principal in policy'],
    ['an empty principal list', policy({ ...GET_ALL, Principal: { AWS: [] } }), 'Invalid principal in policy'],
    ['no Action', policy({ ...GET_ALL, Action: undefined }), 'Missing required field Action'],
    ['an unknown action', policy({ ...GET_ALL, Action: 's3:GetObjekt' }), 'Policy has invalid action'],
    ['another service', policy({ ...GET_ALL, Action: 'iam:GetUser' }), 'Policy has invalid action'],
    ['a wildcard naming nothing', policy({ ...GET_ALL, Action: 's3:Fly*' }), 'Policy has invalid action'],
    ['no Resource', policy({ ...GET_ALL, Resource: undefined }), 'Missing required field Resource'],
    ['a resource in another bucket', policy({ ...GET_ALL, Resource: 'arn:aws:s3:::other/*' }), 'Policy has invalid resource'],
    ['a resource that is not an S3 ARN', policy({ ...GET_ALL, Resource: '*' }), 'Policy has invalid resource'],
    ['a bucket-name prefix', policy({ ...GET_ALL, Resource: 'arn:aws:s3:::bkx/*' }), 'Policy has invalid resource'],
    ['object actions on the bucket alone', policy({ ...GET_ALL, Resource: 'arn:aws:s3:::bk' }), 'Action does not apply to any resource(s) in statement'],
    ['an unknown condition operator', policy({ ...GET_ALL, Condition: { StringEqualz: { 's3:prefix': 'a' } } }), 'Invalid Condition type : StringEqualz'],
    ['NullIfExists', policy({ ...GET_ALL, Condition: { NullIfExists: { 's3:prefix': 'true' } } }), 'Invalid Condition type : NullIfExists'],
    ['an unknown condition key', policy({ ...GET_ALL, Condition: { StringEquals: { 'aws:Foo': 'a' } } }), 'Policy has an invalid condition key'],
    ['a bad CIDR', policy({ ...GET_ALL, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }), 'Invalid IP address or CIDR in condition'],
    ['a bad number', policy({ ...GET_ALL, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }), 'Invalid numeric value in condition'],
    ['a bad date', policy({ ...GET_ALL, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), 'Invalid date value in condition'],
    ['a bad boolean', policy({ ...GET_ALL, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }), 'Invalid boolean value in condition'],
    [
      'duplicate Sids',
      policy([
        { ...GET_ALL, Sid: 'a' },
        { ...GET_ALL, Sid: 'a' },
      ]),
      'Statement IDs (SID) in a single policy must be unique.',
    ],
  ])('refuses %s with MalformedPolicy', (_name, document, message) => {
    let error: unknown;
    try {
      parsePolicy(document, 'bk');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'MalformedPolicy', message });
  });

  it('takes a statement object, both versions, no version, and action names in any case', () => {
    expect(parsePolicy(policy(GET_ALL), 'bk').statements).toHaveLength(1);
    expect(parsePolicy(policy(GET_ALL, { Version: '2008-10-17' }), 'bk').statements).toHaveLength(1);
    expect(parsePolicy(JSON.stringify({ Statement: [{ ...GET_ALL, Action: 'S3:getobject' }] }), 'bk').statements).toHaveLength(1);
    expect(MAX_POLICY_BYTES).toBe(20480);
  });
});

describe('evaluatePolicy, by example', () => {
  it('names users by user ARN (display name or key), access key, canonical id; `*` includes anonymous', () => {
    for (const principal of [
      { AWS: 'arn:aws:iam::111122223333:user/alice' },
      { AWS: 'arn:aws:iam::111122223333:user/team/AKIAALICE' },
      { AWS: ['AKIAALICE'] },
      { CanonicalUser: derivedCanonicalId('AKIAALICE').toUpperCase() },
    ]) {
      const document = policy({ ...GET_ALL, Principal: principal });
      expect(verdict(document, {})).toBe('allow');
      expect(verdict(document, {}, ANONYMOUS)).toBe('none');
    }
    expect(verdict(policy(GET_ALL), {}, ANONYMOUS)).toBe('allow');
  });

  it('lets an explicit Deny win over any Allow', () => {
    const document = policy([GET_ALL, { ...GET_ALL, Effect: 'Deny', Principal: { AWS: 'AKIAALICE' }, Resource: 'arn:aws:s3:::bk/secret/*' }]);
    expect(verdict(document, {}, ALICE, 's3:GetObject', 'arn:aws:s3:::bk/secret/x')).toBe('deny');
    expect(verdict(document, {}, ANONYMOUS, 's3:GetObject', 'arn:aws:s3:::bk/secret/x')).toBe('allow');
  });

  it('compares numbers, dates (ISO or epoch seconds), booleans and IPv6 CIDRs', () => {
    const at = (condition: Record<string, unknown>, values: ConditionValues) => verdict(policy({ ...GET_ALL, Condition: condition }), values);
    expect(at({ NumericLessThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' })).toBe('allow');
    expect(at({ NumericLessThanEquals: { 's3:max-keys': 10 } }, { 's3:max-keys': '11' })).toBe('none');
    expect(at({ NumericLessThan: { 's3:max-keys': '10' } }, {})).toBe('none');
    expect(at({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:currenttime': '2026-12-03T12:00:00.000Z' })).toBe('allow');
    expect(at({ DateGreaterThan: { 'aws:EpochTime': '2030-01-01T00:00:00Z' } }, { 'aws:epochtime': '1796000000' })).toBe('none');
    expect(at({ DateGreaterThan: { 'aws:CurrentTime': 1700000000 } }, { 'aws:currenttime': '2026-12-03T12:00:00.000Z' })).toBe('allow');
    expect(at({ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:securetransport': 'false' })).toBe('allow');
    expect(at({ Bool: { 'aws:SecureTransport': true } }, { 'aws:securetransport': 'false' })).toBe('none');
    expect(at({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:sourceip': '2001:db8:1::5' })).toBe('allow');
    expect(at({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:sourceip': '2001:db9::5' })).toBe('none');
    expect(at({ IpAddress: { 'aws:SourceIp': '127.0.0.1' } }, { 'aws:sourceip': '127.0.0.1' })).toBe('allow');
    expect(at({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'alice' })).toBe('allow');
    expect(at({ StringNotLike: { 'aws:UserAgent': '*curl*' } }, { 'aws:useragent': 'curl/8' })).toBe('none');
    expect(at({ Null: { 's3:x-amz-acl': 'false' } }, { 's3:x-amz-acl': 'private' })).toBe('allow');
  });

  it('tests object tags: s3:ExistingObjectTag/<key> and s3:RequestObjectTag/<key> (tag keys with case), s3:RequestObjectTagKeys as a set', () => {
    const at = (condition: Record<string, unknown>, values: ConditionValues) => verdict(policy({ ...GET_ALL, Condition: condition }), values);
    const existing = { 's3:existingobjecttag/Team': 'data' };
    expect(at({ StringEquals: { 's3:ExistingObjectTag/Team': 'data' } }, existing)).toBe('allow');
    expect(at({ StringEquals: { 'S3:existingObjectTag/Team': 'data' } }, existing)).toBe('allow');
    expect(at({ StringEquals: { 's3:ExistingObjectTag/team': 'data' } }, existing)).toBe('none');
    expect(at({ StringEquals: { 's3:ExistingObjectTag/Team': 'data' } }, {})).toBe('none');
    expect(at({ StringNotEquals: { 's3:ExistingObjectTag/Team': 'data' } }, {})).toBe('allow');
    expect(at({ StringLike: { 's3:RequestObjectTag/env': 'prod-*' } }, { 's3:requestobjecttag/env': 'prod-eu' })).toBe('allow');
    const keys = (list: string[]): ConditionValues => ({ 's3:requestobjecttagkeys': list });
    const onlyAllowed = { 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['team', 'env'] } };
    expect(at(onlyAllowed, keys(['team']))).toBe('allow');
    expect(at(onlyAllowed, keys(['team', 'env']))).toBe('allow');
    expect(at(onlyAllowed, keys(['team', 'cost']))).toBe('none');
    expect(at(onlyAllowed, keys([]))).toBe('allow');
    const someRequired = { 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': 'team' } };
    expect(at(someRequired, keys(['env', 'team']))).toBe('allow');
    expect(at(someRequired, keys(['env']))).toBe('none');
    expect(at(someRequired, keys([]))).toBe('none');
    expect(parsePolicy(policy({ ...GET_ALL, Condition: { StringEquals: { 's3:ExistingObjectTag/a': 'b' } } }), 'bk').readsObjectTags).toBe(true);
    expect(parsePolicy(policy({ ...GET_ALL, Condition: { StringEquals: { 's3:RequestObjectTag/a': 'b' } } }), 'bk').readsObjectTags).toBe(false);
    expect(() => parsePolicy(policy({ ...GET_ALL, Condition: { StringEquals: { 's3:ExistingObjectTag/': 'b' } } }), 'bk')).toThrow(
      'Policy has an invalid condition key',
    );
  });

  it('tests the Object Lock keys: mode and legal hold as strings, the retain-until date as a date, the remaining days as a number', () => {
    const at = (condition: Record<string, unknown>, values: ConditionValues) => verdict(policy({ ...GET_ALL, Condition: condition }), values);
    expect(at({ StringEquals: { 'S3:Object-Lock-Mode': 'GOVERNANCE' } }, { 's3:object-lock-mode': 'GOVERNANCE' })).toBe('allow');
    expect(at({ StringEquals: { 's3:object-lock-mode': 'GOVERNANCE' } }, { 's3:object-lock-mode': 'COMPLIANCE' })).toBe('none');
    expect(at({ StringEquals: { 's3:object-lock-legal-hold': 'ON' } }, {})).toBe('none');
    const until = { 's3:object-lock-retain-until-date': '2030-06-01T00:00:00Z' };
    expect(at({ DateLessThan: { 's3:object-lock-retain-until-date': '2031-01-01T00:00:00Z' } }, until)).toBe('allow');
    expect(at({ DateLessThan: { 's3:object-lock-retain-until-date': '2030-01-01T00:00:00Z' } }, until)).toBe('none');
    const remaining = { 's3:object-lock-remaining-retention-days': '31' };
    expect(at({ NumericLessThanEquals: { 's3:object-lock-remaining-retention-days': 30 } }, remaining)).toBe('none');
    expect(at({ NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '30' } }, remaining)).toBe('allow');
    expect(() => parsePolicy(policy({ ...GET_ALL, Condition: { StringEquals: { 's3:object-lock-status': 'x' } } }), 'bk')).toThrow(
      'Policy has an invalid condition key',
    );
  });
});

describe('requiredActions', () => {
  it("maps operations to S3's IAM actions, several operations sharing one", () => {
    expect(requiredActions('HeadObject')).toEqual({ kind: 'object', actions: ['s3:GetObject'] });
    expect(requiredActions('GetObject', { versionId: 'v' })).toEqual({ kind: 'object', actions: ['s3:GetObjectVersion'] });
    expect(requiredActions('ListObjectsV2')).toEqual({ kind: 'bucket', actions: ['s3:ListBucket'] });
    expect(requiredActions('HeadBucket')).toEqual({ kind: 'bucket', actions: ['s3:ListBucket'] });
    expect(requiredActions('UploadPart')).toEqual({ kind: 'object', actions: ['s3:PutObject'] });
    expect(requiredActions('PutObject', { setsAcl: true })).toEqual({ kind: 'object', actions: ['s3:PutObject', 's3:PutObjectAcl'] });
    expect(requiredActions('CopyObject', { setsTags: true })).toEqual({ kind: 'object', actions: ['s3:PutObject', 's3:PutObjectTagging'] });
    expect(requiredActions('DeleteObjects', { versionId: 'v' })).toEqual({ kind: 'object', actions: ['s3:DeleteObjectVersion'] });
    expect(requiredActions('DeleteBucketCors')).toEqual({ kind: 'bucket', actions: ['s3:PutBucketCORS'] });
    expect(requiredActions('ListBuckets')).toBeUndefined();
    expect(requiredActions('PostObject')).toEqual({ kind: 'object', actions: ['s3:PutObject'] });
    expect(requiredActions('PutObjectTagging', { versionId: 'v' })).toEqual({ kind: 'object', actions: ['s3:PutObjectVersionTagging'] });
    expect(requiredActions('DeleteBucketLifecycle')).toEqual({ kind: 'bucket', actions: ['s3:PutLifecycleConfiguration'] });
  });

  it('governs every S3 operation that addresses a bucket, so that a new route cannot escape bucket policies', () => {
    // ListBuckets addresses no bucket (nor CreateBucket's policy, which does not exist yet); the rest are not S3 operations.
    const ungoverned = ['ListBuckets', 'CorsPreflight', 'NotImplemented', 'MethodNotAllowed'];
    expect(S3_OPERATIONS.filter((operation) => requiredActions(operation) === undefined && !ungoverned.includes(operation))).toEqual([]);
  });
});

describe('isPublicPolicy', () => {
  const publicOf = (statement: Record<string, unknown>) => isPublicPolicy(parsePolicy(policy(statement), 'bk'));
  it('is public for an Allow to everyone without a condition fixing principals or addresses', () => {
    expect(publicOf(GET_ALL)).toBe(true);
    expect(publicOf({ ...GET_ALL, Principal: { AWS: '*' }, Condition: { StringLike: { 's3:prefix': 'a*' } } })).toBe(true);
    expect(publicOf({ ...GET_ALL, Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })).toBe(true);
    expect(publicOf({ ...GET_ALL, Condition: { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } } })).toBe(true);
    expect(publicOf({ ...GET_ALL, Principal: undefined, NotPrincipal: { AWS: 'AKIAALICE' } })).toBe(true);
  });
  it('is not public for named principals, Deny statements, or a fixed source address or user id', () => {
    expect(publicOf({ ...GET_ALL, Principal: { AWS: 'AKIAALICE' } })).toBe(false);
    expect(publicOf({ ...GET_ALL, Effect: 'Deny' })).toBe(false);
    expect(publicOf({ ...GET_ALL, Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.1.0/24'] } } })).toBe(false);
    expect(publicOf({ ...GET_ALL, Condition: { StringEquals: { 'aws:userid': derivedCanonicalId('AKIAALICE') } } })).toBe(false);
  });
});
