import { loadConfig } from './configuration';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      s3Prefix: '/s3',
      s3Domain: '',
      region: 'us-east-1',
      store: 'embedded',
      dataDir: './data',
      inlineMaxBytes: 65536,
      fsync: true,
      auth: 'parse',
      logLevel: 'info',
    });
  });

  it('serves S3 at the root for S3_PREFIX=/ and drops a trailing slash elsewhere', () => {
    expect(loadConfig({ S3_PREFIX: '/' }).s3Prefix).toBe('');
    expect(loadConfig({ S3_PREFIX: '/api/s3/' }).s3Prefix).toBe('/api/s3');
  });

  it('stops with every bad variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty', FSYNC: 'maybe', S3_AUTH: 'none' })).toThrow(
      'Invalid environment variables: PORT=eighty (an integer from 0 to 65535), FSYNC=maybe (true or false), S3_AUTH=none (one of parse)',
    );
  });
});
