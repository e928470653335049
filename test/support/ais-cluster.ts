import { request } from 'node:http';
import { type RawResponse, rawRequest } from './raw-http';

/**
 * AIS's own REST API (docs/ais-native-api.md), for checking what the gateway wrote and writing behind its
 * back: follows the proxy's redirects to the target as AIS clients do.
 */
export class AisNativeApi {
  constructor(private readonly endpoint: string) {}

  /** Bucket names, as `ais ls ais://` shows them. */
  async bucketNames(): Promise<string[]> {
    const response = await rawRequest(this.endpoint, { method: 'GET', path: '/v1/buckets?provider=ais' });
    expect({ status: response.status, body: response.status === 200 ? '' : response.body }).toEqual({ status: 200, body: '' });
    return (JSON.parse(response.body) as Array<{ name: string }>).map((bucket) => bucket.name);
  }

  async objectNames(bucket: string): Promise<string[]> {
    const message = JSON.stringify({ action: 'list', value: {} });
    // A GET with a body: node:http sends neither a length nor chunks for GET unless told the length.
    const response = await rawRequest(this.endpoint, {
      method: 'GET',
      path: `/v1/buckets/${bucket}?provider=ais`,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(message)) },
      body: message,
    });
    expect({ status: response.status, body: response.status === 200 ? '' : response.body }).toEqual({ status: 200, body: '' });
    return ((JSON.parse(response.body) as { entries: Array<{ name: string }> | null }).entries ?? []).map((entry) => entry.name);
  }

  /** Makes a bucket with AIS's own API (not through the gateway), with these bucket props. */
  async createBucket(bucket: string, props: object): Promise<void> {
    const response = await rawRequest(this.endpoint, {
      method: 'POST',
      path: `/v1/buckets/${bucket}?provider=ais`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'create-bck', value: props }),
    });
    expect(response.status).toBe(200);
  }

  async putObject(bucket: string, key: string, body: string, customMetadata: Record<string, string> = {}): Promise<void> {
    const lines = Object.entries(customMetadata).map(([name, value]) => `${name}=${value}`);
    const response = await this.followed('PUT', bucket, key, body, lines);
    expect(response.status).toBe(200);
  }

  async getObject(bucket: string, key: string): Promise<RawResponse> {
    return this.followed('GET', bucket, key);
  }

  /** The object's custom metadata as AIS keeps it (`Ais-Custom-Md` lines of a HEAD), key to value. */
  async customMetadata(bucket: string, key: string): Promise<Record<string, string>> {
    const path = `/v1/objects/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?provider=ais`;
    const ask = await rawRequest(this.endpoint, { method: 'HEAD', path });
    expect(ask.status).toBe(307);
    // node:http joins repeated header lines with ", ", which values may contain: read the raw lines.
    const lines = await new Promise<string[]>((resolve, reject) => {
      request(new URL(String(ask.headers.location)), { method: 'HEAD' }, (res) => {
        res.resume();
        const raw = res.rawHeaders;
        resolve(raw.flatMap((name, at) => (at % 2 === 0 && name.toLowerCase() === 'ais-custom-md' ? [raw[at + 1]] : [])));
      })
        .on('error', reject)
        .end();
    });
    return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  /** The bucket's props (`Ais-Bucket-Props` of a HEAD). */
  async bucketProps(bucket: string): Promise<{ versioning: { enabled: boolean }; extra?: { custom?: string } }> {
    const response = await rawRequest(this.endpoint, { method: 'HEAD', path: `/v1/buckets/${bucket}?provider=ais` });
    expect(response.status).toBe(200);
    return JSON.parse(String(response.headers['ais-bucket-props'])) as { versioning: { enabled: boolean }; extra?: { custom?: string } };
  }

  /** Copies an object with AIS's own copy (`object_to`), custom metadata included. */
  async copyObject(bucket: string, key: string, toBucket: string, toKey: string): Promise<void> {
    const path = `/v1/objects/${bucket}/${encodeURIComponent(key)}?provider=ais&object_to=${encodeURIComponent(`ais/@#/${toBucket}/${toKey}`)}`;
    const ask = await rawRequest(this.endpoint, { method: 'PUT', path, headers: { 'content-length': '0' } });
    expect(ask.status).toBe(307);
    const response = await rawRequest(this.endpoint, { method: 'PUT', path: String(ask.headers.location), headers: { 'content-length': '0' } });
    expect(response.status).toBe(200);
  }

  private async followed(method: string, bucket: string, key: string, body?: string, customMetadata: string[] = []): Promise<RawResponse> {
    const path = `/v1/objects/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?provider=ais`;
    const ask = await rawRequest(this.endpoint, { method, path, headers: { 'content-length': '0' } });
    expect({ status: ask.status, body: [301, 307].includes(ask.status) ? '' : ask.body }).toEqual({ status: ask.status === 301 ? 301 : 307, body: '' });
    // node:http joins repeated headers given as an array into separate lines, as AIS wants them.
    const headers: Record<string, string | string[]> = { 'content-length': String(Buffer.byteLength(body ?? '')) };
    if (customMetadata.length > 0) headers['ais-custom-md'] = customMetadata;
    return rawRequest(this.endpoint, { method, path: String(ask.headers.location), headers: headers as Record<string, string>, body });
  }
}
