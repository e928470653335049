import { rawRequest } from './raw-http';

/** One entry of a ListObjectVersions answer, in the order the answer gives them. */
export interface ListedVersion {
  key: string;
  versionId: string;
  latest: boolean;
  marker: boolean;
}

/** The path S3 requests to a gateway start with (its endpoint's path, without a trailing slash). */
export function s3PathOf(gateway: { endpoint: string }): string {
  return new URL(gateway.endpoint).pathname.replace(/\/$/, '');
}

/**
 * Every version and delete marker of a bucket, paging with `maxKeys` and reading each page's XML as sent (the SDK
 * splits a page into two lists), so the order of versions and markers across both is checked too. A listing that
 * does not end (a page that does not move on) fails instead of hanging.
 */
export async function listedVersions(gateway: { origin: string; endpoint: string }, bucket: string, maxKeys = 1000, prefix = ''): Promise<ListedVersion[]> {
  const listed: ListedVersion[] = [];
  let markers = '';
  for (let pages = 0; pages < 500; pages += 1) {
    const path = `${s3PathOf(gateway)}/${bucket}?versions&max-keys=${maxKeys}&prefix=${encodeURIComponent(prefix)}${markers}`;
    const page = await rawRequest(gateway.origin, { method: 'GET', path });
    if (page.status !== 200) throw new Error(`ListObjectVersions answered ${page.status}: ${page.body}`);
    for (const [, kind, body] of page.body.matchAll(/<(Version|DeleteMarker)>(.*?)<\/\1>/g)) {
      listed.push({
        key: textIn(body, 'Key') ?? '',
        versionId: textIn(body, 'VersionId') ?? '',
        latest: textIn(body, 'IsLatest') === 'true',
        marker: kind === 'DeleteMarker',
      });
    }
    if (textIn(page.body, 'IsTruncated') !== 'true') return listed;
    const nextKey = textIn(page.body, 'NextKeyMarker');
    if (nextKey === undefined) throw new Error('a truncated ListObjectVersions page has no NextKeyMarker');
    const nextVersion = textIn(page.body, 'NextVersionIdMarker');
    markers = `&key-marker=${encodeURIComponent(nextKey)}${nextVersion !== undefined ? `&version-id-marker=${encodeURIComponent(nextVersion)}` : ''}`;
  }
  throw new Error('ListObjectVersions did not end');
}

function textIn(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
