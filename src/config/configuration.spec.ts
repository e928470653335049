import { availableParallelism } from 'node:os';
import { loadConfig } from './configuration';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      workers: availableParallelism(),
      host: '0.0.0.0',
      s3Prefix: '/s3',
      s3Domain: '',
      lifecycleIntervalMs: 3_600_000,
      lifecycleClockOffsetDays: 0,
      region: 'us-east-1',
      store: 'embedded',
      aisEndpoint: '',
      aisTimeoutMs: 30000,
      aisRetries: 2,
      aisSingleWriter: false,
      aisListSessionMs: 5000,
      dataDir: './data',
      inlineMaxBytes: 65536,
      fsync: true,
      abandonedUploadHours: 168,
      sweepIntervalMs: undefined,
      completeKeepAliveMs: 10_000,
      stalledReaderTimeoutMs: 20_000,
      headersTimeoutMs: 20_000,
      bodyTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      minFreeDiskMb: 256,
      metricsPort: 0,
      shutdownDelayMs: 0,
      shutdownGraceMs: 30000,
      auth: 'parse',
      accessKey: undefined,
      credentialsFile: undefined,
      adminKeys: [],
      defaultBucketOwner: undefined,
      authDebug: false,
      logLevel: 'info',
      corsAllowedOrigins: [],
    });
  });

  it('reads S3_ADMIN_KEYS as a comma-separated list and S3_DEFAULT_BUCKET_OWNER as it is', () => {
    const config = loadConfig({ S3_ADMIN_KEYS: ' AK1, AK2,,', S3_DEFAULT_BUCKET_OWNER: 'AK3' });
    expect(config.adminKeys).toEqual(['AK1', 'AK2']);
    expect(config.defaultBucketOwner).toBe('AK3');
  });

  it('runs one worker per core unless WORKERS says how many (1: a single process)', () => {
    expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
    expect(loadConfig({ WORKERS: '3' }).workers).toBe(3);
    expect(() => loadConfig({ WORKERS: '0' })).toThrow('Invalid environment variables: WORKERS=0 (an integer from 1 to 256)');
  });

  it('keeps a slow CompleteMultipartUpload alive every COMPLETE_KEEPALIVE_MS, from 10 ms to 10 minutes', () => {
    expect(loadConfig({ COMPLETE_KEEPALIVE_MS: '250' }).completeKeepAliveMs).toBe(250);
    expect(() => loadConfig({ COMPLETE_KEEPALIVE_MS: '0' })).toThrow('COMPLETE_KEEPALIVE_MS=0 (an integer from 10 to 600000)');
  });

  it('bounds slow clients: HEADERS_TIMEOUT_MS, BODY_TIMEOUT_MS (0: never) and KEEPALIVE_TIMEOUT_MS', () => {
    expect(loadConfig({ HEADERS_TIMEOUT_MS: '1500', BODY_TIMEOUT_MS: '0', KEEPALIVE_TIMEOUT_MS: '5000' })).toMatchObject({
      headersTimeoutMs: 1500,
      bodyTimeoutMs: 0,
      keepAliveTimeoutMs: 5000,
    });
    expect(() => loadConfig({ HEADERS_TIMEOUT_MS: '0' })).toThrow('HEADERS_TIMEOUT_MS=0 (an integer from 100 to 600000)');
    expect(() => loadConfig({ BODY_TIMEOUT_MS: 'soon' })).toThrow('BODY_TIMEOUT_MS=soon (an integer from 0 to 3600000)');
    expect(() => loadConfig({ KEEPALIVE_TIMEOUT_MS: '-5' })).toThrow('KEEPALIVE_TIMEOUT_MS=-5 (an integer from 100 to 3600000)');
  });

  it('cuts a GET whose client stopped reading after STALLED_READER_TIMEOUT_MS (0: never)', () => {
    expect(loadConfig({ STALLED_READER_TIMEOUT_MS: '0' }).stalledReaderTimeoutMs).toBe(0);
    expect(loadConfig({ STALLED_READER_TIMEOUT_MS: '2500' }).stalledReaderTimeoutMs).toBe(2500);
    expect(() => loadConfig({ STALLED_READER_TIMEOUT_MS: '-1' })).toThrow('STALLED_READER_TIMEOUT_MS=-1 (an integer from 0 to 3600000)');
  });

  it('sweeps every SWEEP_INTERVAL_MS, from 100 ms to a day (unset: at the interval of the store)', () => {
    expect(loadConfig({ SWEEP_INTERVAL_MS: '500' }).sweepIntervalMs).toBe(500);
    expect(() => loadConfig({ SWEEP_INTERVAL_MS: '10' })).toThrow('SWEEP_INTERVAL_MS=10 (an integer from 100 to 86400000)');
  });

  it('serves S3 at the root for S3_PREFIX=/ and drops a trailing slash elsewhere', () => {
    expect(loadConfig({ S3_PREFIX: '/' }).s3Prefix).toBe('');
    expect(loadConfig({ S3_PREFIX: '/api/s3/' }).s3Prefix).toBe('/api/s3');
  });

  it('verifies signatures by default once credentials are configured', () => {
    expect(loadConfig({ S3_ACCESS_KEY_ID: 'AK', S3_SECRET_ACCESS_KEY: 'SK' })).toMatchObject({ auth: 'verify', accessKey: { id: 'AK', secret: 'SK' } });
    expect(loadConfig({ S3_CREDENTIALS_FILE: '/etc/s3/credentials' })).toMatchObject({ auth: 'verify', credentialsFile: '/etc/s3/credentials' });
    expect(loadConfig({ S3_ACCESS_KEY_ID: 'AK', S3_SECRET_ACCESS_KEY: 'SK', S3_AUTH: 'parse' }).auth).toBe('parse');
  });

  it('refuses verify mode without credentials, and half an access key', () => {
    expect(() => loadConfig({ S3_AUTH: 'verify' })).toThrow('S3_AUTH=verify (needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or S3_CREDENTIALS_FILE)');
    expect(() => loadConfig({ S3_ACCESS_KEY_ID: 'AK' })).toThrow('S3_SECRET_ACCESS_KEY= (S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together)');
  });

  it('stops with every bad variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty', FSYNC: 'maybe', S3_AUTH: 'none' })).toThrow(
      'Invalid environment variables: PORT=eighty (an integer from 0 to 65535), FSYNC=maybe (true or false), S3_AUTH=none (one of verify, parse)',
    );
  });

  it('takes the AIS backend with the AIS proxy URL, its timeout and retries', () => {
    expect(loadConfig({ STORE: 'ais', AIS_ENDPOINT: 'http://ais-proxy:51080/', AIS_TIMEOUT_MS: '5000', AIS_RETRIES: '0' })).toMatchObject({
      store: 'ais',
      aisEndpoint: 'http://ais-proxy:51080',
      aisTimeoutMs: 5000,
      aisRetries: 0,
    });
  });

  it('refuses STORE=ais without AIS_ENDPOINT, and an endpoint that is not an http(s) URL of the proxy', () => {
    expect(() => loadConfig({ STORE: 'ais' })).toThrow('AIS_ENDPOINT= (required with STORE=ais');
    for (const endpoint of ['ais-proxy:51080', 'ftp://ais-proxy', 'http://ais-proxy:51080/v1', 'not a url']) {
      expect(() => loadConfig({ STORE: 'ais', AIS_ENDPOINT: endpoint })).toThrow(`AIS_ENDPOINT=${endpoint} (an http(s) URL of the AIS proxy`);
    }
    expect(() => loadConfig({ STORE: 'ais', AIS_ENDPOINT: 'http://p:1', AIS_RETRIES: '-1' })).toThrow('AIS_RETRIES=-1 (an integer from 0 to 10)');
  });

  it('takes AIS_SINGLE_WRITER only with WORKERS=1: its per-key order holds inside one process', () => {
    const ais = { STORE: 'ais', AIS_ENDPOINT: 'http://p:1' };
    expect(loadConfig({ ...ais, WORKERS: '1', AIS_SINGLE_WRITER: 'true' }).aisSingleWriter).toBe(true);
    expect(loadConfig({ ...ais, WORKERS: '4' }).aisSingleWriter).toBe(false);
    expect(() => loadConfig({ ...ais, WORKERS: '2', AIS_SINGLE_WRITER: 'true' })).toThrow(
      'AIS_SINGLE_WRITER=true (valid only with WORKERS=1 (and one gateway replica), not WORKERS=2)',
    );
    expect(() => loadConfig({ ...ais, WORKERS: '1', AIS_SINGLE_WRITER: 'sure' })).toThrow('AIS_SINGLE_WRITER=sure (true or false)');
  });

  it('reads CORS_ALLOWED_ORIGINS as a comma-separated list, each origin with at most one wildcard', () => {
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: ' https://app.example.com, https://*.example.org ,' }).corsAllowedOrigins).toEqual([
      'https://app.example.com',
      'https://*.example.org',
    ]);
    expect(loadConfig({ CORS_ALLOWED_ORIGINS: '*' }).corsAllowedOrigins).toEqual(['*']);
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: 'https://*.*.example.com' })).toThrow(
      'CORS_ALLOWED_ORIGINS=https://*.*.example.com (comma-separated origins such as https://app.example.com, https://*.example.com or *: AllowedOrigin "https://*.*.example.com" can not have more than one wildcard.)',
    );
  });

  it('serves HTTPS only with both TLS_CERT_FILE and TLS_KEY_FILE', () => {
    expect(loadConfig({}).tls).toBeUndefined();
    expect(loadConfig({ TLS_CERT_FILE: '/tls/tls.crt', TLS_KEY_FILE: '/tls/tls.key' }).tls).toEqual({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
    expect(() => loadConfig({ TLS_CERT_FILE: '/tls/tls.crt' })).toThrow('TLS_KEY_FILE= (TLS_CERT_FILE and TLS_KEY_FILE go together)');
    expect(() => loadConfig({ TLS_KEY_FILE: '/tls/tls.key' })).toThrow('TLS_CERT_FILE= (TLS_CERT_FILE and TLS_KEY_FILE go together)');
  });
});
