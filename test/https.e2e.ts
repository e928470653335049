import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Agent, fetch } from 'undici';
import { BOTO3 } from './support/fixture';
import { requireClient, runOk } from './support/clients';
import { type RunningGateway, startGateway } from './support/gateway';
import { parsePrometheusText, Scrape } from './support/prometheus';
import { s3ClientFor } from './support/s3-client';
import { objectPath, presignPath } from './support/sigv4-client';
import { makeCertificate, replaceFile, type TestCertificate } from './support/tls-certificates';

const KEYS = { S3_ACCESS_KEY_ID: 'test-key', S3_SECRET_ACCESS_KEY: 'test-secret' };

/** The common name of the certificate the gateway presents to a new connection. */
function servedCertificate(origin: string, ca: string[]): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      const subject = socket.getPeerCertificate().subject;
      socket.end();
      resolve(String(subject.CN));
    });
    socket.once('error', reject);
  });
}

/** Polls until `done()` holds (the gateway looks at its TLS files every 2 s); gives up after 20 s. */
async function waitUntil(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await done()) return;
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw new Error(`never happened: ${what}`);
}

async function scrape(origin: string, dispatcher: Agent): Promise<Scrape> {
  const response = await fetch(`${origin}/metrics`, { dispatcher });
  return new Scrape(parsePrometheusText(await response.text()));
}

describe('HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)', () => {
  let dir: string;
  let first: TestCertificate;
  let second: TestCertificate;
  let gateway: RunningGateway;
  let s3: S3Client;
  let trusting: Agent;
  const certFile = () => join(dir, 'tls.crt');
  const keyFile = () => join(dir, 'tls.key');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ais-s3-tls-'));
    first = makeCertificate(dir, 'gateway-one');
    second = makeCertificate(dir, 'gateway-two');
    writeFileSync(certFile(), first.cert);
    writeFileSync(keyFile(), first.key);
    gateway = await startGateway({ ...KEYS, TLS_CERT_FILE: certFile(), TLS_KEY_FILE: keyFile() });
    const ca = [first.cert, second.cert];
    s3 = s3ClientFor(gateway.endpoint, { requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca }) }) });
    trusting = new Agent({ connect: { ca } });
  });

  afterAll(async () => {
    s3?.destroy();
    await trusting?.close();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves S3 over HTTPS: SigV4-signed SDK calls and a presigned URL work as over HTTP', async () => {
    expect(gateway.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await s3.send(new CreateBucketCommand({ Bucket: 'secure' }));
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'a/b.txt', Body: 'over tls' }));
    const read = await s3.send(new GetObjectCommand({ Bucket: 'secure', Key: 'a/b.txt' }));
    expect(await read.Body!.transformToString()).toBe('over tls');
    const key = { accessKeyId: KEYS.S3_ACCESS_KEY_ID, secretAccessKey: KEYS.S3_SECRET_ACCESS_KEY };
    const url = gateway.origin + (await presignPath(gateway.origin, key, { method: 'GET', path: objectPath('/s3', 'secure', 'a/b.txt'), expiresIn: 60 }));
    const presigned = await fetch(url, { dispatcher: trusting });
    expect({ status: presigned.status, body: await presigned.text() }).toEqual({ status: 200, body: 'over tls' });
  });

  it('is refused by a client that does not trust the certificate, and does not answer plain HTTP on its port', async () => {
    const strict = new Agent();
    await expect(fetch(`${gateway.origin}/health/live`, { dispatcher: strict })).rejects.toThrow();
    await strict.close();
    await expect(fetch(gateway.origin.replace('https:', 'http:') + '/health/live')).rejects.toThrow();
  });

  it('boto3 with the certificate as its CA bundle reads and writes', async () => {
    requireClient(BOTO3.command, BOTO3.args, process.env, BOTO3.hint);
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, first.cert + second.cert);
    const script = [
      'import boto3, sys',
      's3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test-key",',
      '                  aws_secret_access_key="test-secret", verify=sys.argv[2])',
      's3.put_object(Bucket="secure", Key="from-boto3", Body=b"boto3 over tls")',
      'print(s3.get_object(Bucket="secure", Key="from-boto3")["Body"].read().decode())',
    ].join('\n');
    const { stdout } = await runOk('python3', ['-c', script, gateway.endpoint, bundle], { env: process.env, cwd: dir });
    expect(stdout.trim()).toBe('boto3 over tls');
  });

  it('serves a rotated certificate to new connections without a restart; an unusable change keeps the previous one', async () => {
    const ca = [first.cert, second.cert];
    expect(await servedCertificate(gateway.origin, ca)).toBe('gateway-one');
    const before = await scrape(gateway.origin, trusting);
    expect(before.value('s3_tls_certificate_expiry_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000);

    // The certificate changes before its key (a Secret updated file by file): not usable, still gateway-one.
    replaceFile(certFile(), second.cert);
    await waitUntil('a failed reload counted', async () => (await scrape(gateway.origin, trusting)).value('s3_tls_reloads_total', { outcome: 'failed' }) > 0);
    expect(await servedCertificate(gateway.origin, ca)).toBe('gateway-one');
    await s3.send(new PutObjectCommand({ Bucket: 'secure', Key: 'during', Body: 'still served' }));

    replaceFile(keyFile(), second.key);
    await waitUntil('gateway-two presented', async () => (await servedCertificate(gateway.origin, ca)) === 'gateway-two');
    const read = await s3.send(new GetObjectCommand({ Bucket: 'secure', Key: 'during' }));
    expect(await read.Body!.transformToString()).toBe('still served');
    const after = await scrape(gateway.origin, trusting);
    expect(after.value('s3_tls_reloads_total', { outcome: 'ok' })).toBe(1);
    expect(gateway.output.some((line) => line.includes('TLS certificate reloaded'))).toBe(true);
  });
});

describe('HTTPS start-up checks', () => {
  it('a key that does not belong to the certificate stops start-up with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ais-s3-tls-'));
    try {
      const one = makeCertificate(dir, 'one');
      const two = makeCertificate(dir, 'two');
      writeFileSync(join(dir, 'c.pem'), one.cert);
      writeFileSync(join(dir, 'k.pem'), two.key);
      await expect(startGateway({ TLS_CERT_FILE: join(dir, 'c.pem'), TLS_KEY_FILE: join(dir, 'k.pem') })).rejects.toThrow(
        /are not a usable certificate and key/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
