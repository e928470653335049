// The callbacks given to page.evaluate() run in the browser: they use the DOM.
/// <reference lib="dom" />
import { CreateBucketCommand, GetObjectCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type RunningGateway, startGateway } from './support/gateway';
import { s3ClientFor } from './support/s3-client';
import { type AccessKey, objectPath, presignPath } from './support/sigv4-client';
import { makeCertificate, type TestCertificate } from './support/tls-certificates';

/**
 * A real browser against the gateway: Debian's Chromium (`.ci/run` installs it with apt), driven headless by
 * playwright-core, loads a page from another origin than the gateway's and uploads, lists and downloads with fetch and
 * an HTML form, as a web application does. The browser enforces CORS itself: what passes here passes for users.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY: AccessKey = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>uploads</title></head><body><h1>uploads</h1></body></html>`;

/** The web application's own server: a page, and the page S3 redirects to after a form upload; HTTPS with `tls`. */
function startPageServer(tls: TestCertificate | undefined): Promise<Server> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path === '/' || path === '/done') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(path === '/' ? PAGE : PAGE.replace('uploads</h1>', 'done</h1>'));
    } else res.writeHead(404).end();
  };
  const server = tls === undefined ? createServer(handler) : createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** base64 SHA-256 of the certificate's public key (SubjectPublicKeyInfo): how Chromium's --ignore-certificate-errors-spki-list names a key to trust. */
function spkiSha256(certificate: TestCertificate): string {
  const spki = new X509Certificate(certificate.cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe.each(['http', 'https'] as const)('a real Chromium on another origin uploads, lists and downloads through the gateway (%s)', (scheme) => {
  // HTTPS: one certificate the test makes for the gateway and the page server, which Chromium is told to trust by its key.
  const certDir = mkdtempSync(join(tmpdir(), 'ais-s3-browser-'));
  const tls = scheme === 'https' ? makeCertificate(certDir, 'browser-suite') : undefined;
  const tlsFiles = { TLS_CERT_FILE: join(certDir, 'browser-suite.crt'), TLS_KEY_FILE: join(certDir, 'browser-suite.key') };
  const fixture = {} as { gateway: RunningGateway; s3: S3Client };
  let pages: Server;
  let browser: Browser;
  let page: Page;
  /** The application's origin, which the bucket's CORS configuration admits. */
  let appOrigin: string;
  /** The same server under another name: an origin the bucket does not admit. */
  let strangerOrigin: string;
  let bucket: string;

  const presigned = async (method: string, key: string, query?: Record<string, string>): Promise<string> =>
    fixture.gateway.origin + (await presignPath(fixture.gateway.origin, KEY, { method, path: objectPath('/s3', bucket, key), expiresIn: 600, query }));

  beforeAll(async () => {
    const tlsEnv: Record<string, string> = tls === undefined ? {} : tlsFiles;
    fixture.gateway = await startGateway({ S3_ACCESS_KEY_ID: KEY.accessKeyId, S3_SECRET_ACCESS_KEY: KEY.secretAccessKey, ...tlsEnv });
    fixture.s3 = s3ClientFor(fixture.gateway.endpoint, tls === undefined ? {} : { requestHandler: { httpsAgent: new HttpsAgent({ ca: tls.cert }) } });
    pages = await startPageServer(tls);
    const port = (pages.address() as AddressInfo).port;
    appOrigin = `${scheme}://127.0.0.1:${port}`;
    strangerOrigin = `${scheme}://localhost:${port}`;
    const trust = tls === undefined ? [] : [`--ignore-certificate-errors-spki-list=${spkiSha256(tls)}`];
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: trust });
    bucket = 'browser-uploads';
    await fixture.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await fixture.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            { AllowedOrigins: [appOrigin], AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 },
          ],
        },
      }),
    );
  }, 60_000);
  beforeEach(async () => {
    page = await browser.newPage();
    await page.goto(`${appOrigin}/`);
  });
  afterEach(async () => {
    await page?.close();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    fixture.s3?.destroy();
    await fixture.gateway?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('uploads bytes with fetch to a presigned PUT URL (after a preflight), lists them and downloads the same bytes', async () => {
    const bytes = randomBytes(300 * 1024);
    const putUrl = await presigned('PUT', 'fetch/put.bin');
    const put = await page.evaluate(
      async ({ url, base64 }) => {
        const body = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
        const response = await fetch(url, { method: 'PUT', body });
        return { status: response.status, etag: response.headers.get('etag') };
      },
      { url: putUrl, base64: bytes.toString('base64') },
    );
    expect(put).toEqual({ status: 200, etag: `"${createHash('md5').update(bytes).digest('hex')}"` });
    // A cross-origin PUT is preflighted: the browser asked with OPTIONS first.
    expect(fixture.gateway.output.some((line) => line.includes('"operation":"CorsPreflight"') && line.includes('"status":200'))).toBe(true);

    const listUrl = await presigned('GET', '', { 'list-type': '2', prefix: 'fetch/' });
    const listed = await page.evaluate(async (url) => {
      const xml = new DOMParser().parseFromString(await (await fetch(url)).text(), 'application/xml');
      return [...xml.getElementsByTagName('Contents')].map((entry) => ({
        key: entry.getElementsByTagName('Key')[0].textContent,
        size: entry.getElementsByTagName('Size')[0].textContent,
      }));
    }, listUrl);
    expect(listed).toEqual([{ key: 'fetch/put.bin', size: String(bytes.length) }]);

    const getUrl = await presigned('GET', 'fetch/put.bin');
    const downloaded = await page.evaluate(async (url) => {
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return btoa(binary);
    }, getUrl);
    expect(sha256(Buffer.from(downloaded, 'base64'))).toBe(sha256(bytes));
  });

  it('uploads through an HTML form POST whose policy the test signed, landing on success_action_redirect', async () => {
    const client = s3ClientFor(fixture.gateway.endpoint, { credentials: KEY, requestHandler: fixture.s3.config.requestHandler });
    const done = `${appOrigin}/done`;
    const post = await createPresignedPost(client, {
      Bucket: bucket,
      Key: 'form/${filename}',
      Conditions: [
        ['content-length-range', 1, 1024 * 1024],
        ['starts-with', '$Content-Type', 'text/'],
      ],
      Fields: { success_action_redirect: done, 'Content-Type': 'text/plain' },
      Expires: 600,
    }).finally(() => client.destroy());
    await page.evaluate(
      ({ url, fields }) => {
        const form = document.createElement('form');
        Object.assign(form, { action: url, method: 'post', enctype: 'multipart/form-data' });
        for (const [name, value] of Object.entries(fields)) {
          const input = Object.assign(document.createElement('input'), { type: 'hidden', name, value });
          form.append(input);
        }
        form.append(Object.assign(document.createElement('input'), { type: 'file', name: 'file' }));
        form.append(Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Upload' }));
        document.body.append(form);
      },
      { url: post.url, fields: post.fields },
    );
    const text = 'uploaded by a browser form\n';
    await page.setInputFiles('input[type=file]', { name: 'greeting.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await Promise.all([page.waitForURL(`${done}?**`), page.click('button[type=submit]')]);

    const landed = new URL(page.url());
    const etag = `"${createHash('md5').update(text).digest('hex')}"`;
    expect(Object.fromEntries(landed.searchParams)).toEqual({ bucket, key: 'form/greeting.txt', etag });
    expect(await page.textContent('h1')).toBe('done');
    const stored = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'form/greeting.txt' }));
    expect(await stored.Body!.transformToString()).toBe(text);
    expect(stored.ContentType).toBe('text/plain');
  });

  it('uploads with fetch and FormData to a presigned POST and reads the 201 PostResponse document', async () => {
    const client = s3ClientFor(fixture.gateway.endpoint, { credentials: KEY, requestHandler: fixture.s3.config.requestHandler });
    const post = await createPresignedPost(client, {
      Bucket: bucket,
      Key: 'xhr/${filename}',
      Conditions: [{ success_action_status: '201' }],
      Fields: { success_action_status: '201' },
      Expires: 600,
    }).finally(() => client.destroy());
    const answer = await page.evaluate(async ({ url, fields }) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob(['posted by fetch'], { type: 'text/plain' }), 'note.txt');
      const response = await fetch(url, { method: 'POST', body: form });
      const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
      const text = (name: string) => xml.getElementsByTagName(name)[0]?.textContent;
      return { status: response.status, key: text('Key'), bucket: text('Bucket'), location: text('Location'), etag: response.headers.get('etag') };
    }, post);
    const etag = `"${createHash('md5').update('posted by fetch').digest('hex')}"`;
    expect(answer).toEqual({ status: 201, key: 'xhr/note.txt', bucket, location: `${fixture.gateway.endpoint}/${bucket}/xhr/note.txt`, etag });
  });

  it("reads an S3 error's XML from a refused request", async () => {
    const missing = await presigned('GET', 'no/such/key');
    const error = await page.evaluate(async (url) => {
      const response = await fetch(url);
      const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
      return { status: response.status, code: xml.getElementsByTagName('Code')[0]?.textContent };
    }, missing);
    expect(error).toEqual({ status: 404, code: 'NoSuchKey' });
  });

  it('stops a page from an origin the bucket does not admit: the browser refuses the answer to its fetch', async () => {
    const putUrl = await presigned('PUT', 'stranger/readable.txt');
    const fromApp = await page.evaluate(async (url) => (await fetch(url, { method: 'PUT', body: 'for everyone?' })).status, putUrl);
    expect(fromApp).toBe(200);
    const getUrl = await presigned('GET', 'stranger/readable.txt');
    const stranger = await browser.newPage();
    try {
      await stranger.goto(`${strangerOrigin}/`);
      const outcome = await stranger.evaluate(async (url) => {
        try {
          const response = await fetch(url);
          return `read ${response.status}: ${await response.text()}`;
        } catch (error) {
          return String(error);
        }
      }, getUrl);
      expect(outcome).toBe('TypeError: Failed to fetch');
      // The same request from the admitted origin is read.
      expect(await page.evaluate(async (url) => (await fetch(url)).text(), getUrl)).toBe('for everyone?');
    } finally {
      await stranger.close();
    }
  });
});
