import fc from 'fast-check';
import type { ListUploadsPage, ListUploadsRequest, MultipartUpload } from '../ais/store';
import { commonPrefixOf, compareUtf8, UploadsPage } from './listing-rules';

interface Upload {
  key: string;
  uploadId: string;
}

const multipartUpload = ({ key, uploadId }: Upload): MultipartUpload => ({
  key,
  uploadId,
  initiated: new Date(0),
  attributes: { content: {}, userMetadata: {} },
});

/** In S3's order: by key (UTF-8 bytes), then by upload id. */
const inListingOrder = (uploads: Upload[]): Upload[] =>
  [...uploads].sort((a, b) => compareUtf8(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));

/** Offers every upload in order, as the embedded store does. */
function pageOf(request: ListUploadsRequest, uploads: Upload[]): ListUploadsPage {
  const page = new UploadsPage(request);
  for (const upload of uploads) if (page.add(upload.key, upload.uploadId, () => multipartUpload(upload)) === 'full') break;
  return page.page;
}

/** Offers the uploads in order, but skips every upload under a common prefix once told to, as the AIS backend does. */
function pageSkipping(request: ListUploadsRequest, uploads: Upload[]): ListUploadsPage {
  const page = new UploadsPage(request);
  let skipping: string | undefined;
  for (const upload of uploads) {
    if (skipping !== undefined && upload.key.startsWith(skipping)) continue;
    const step = page.add(upload.key, upload.uploadId, () => multipartUpload(upload));
    if (step === 'full') break;
    skipping = step === 'next' ? undefined : step.skipPast;
  }
  return page.page;
}

type Entry = { upload: Upload } | { commonPrefix: string };

/**
 * The whole listing as S3 describes it: the uploads after the markers and under the prefix, each key with the
 * delimiter after the prefix standing for its common prefix, each common prefix once; one at or before the
 * key marker was listed before the marker.
 */
function modelEntries(request: ListUploadsRequest, uploads: Upload[]): Entry[] {
  const { prefix, delimiter, keyMarker, uploadIdMarker } = request;
  const entries: Entry[] = [];
  const seen = new Set<string>();
  for (const upload of inListingOrder(uploads)) {
    if (!upload.key.startsWith(prefix)) continue;
    if (keyMarker !== undefined) {
      const order = compareUtf8(upload.key, keyMarker);
      if (order < 0 || (order === 0 && (uploadIdMarker === undefined || upload.uploadId <= uploadIdMarker))) continue;
    }
    const rest = upload.key.slice(prefix.length);
    const at = delimiter ? rest.indexOf(delimiter) : -1;
    if (at < 0) {
      entries.push({ upload });
      continue;
    }
    const commonPrefix = prefix + rest.slice(0, at + delimiter!.length);
    if (seen.has(commonPrefix) || (keyMarker !== undefined && compareUtf8(commonPrefix, keyMarker) <= 0)) continue;
    seen.add(commonPrefix);
    entries.push({ commonPrefix });
  }
  return entries;
}

function modelPage(request: ListUploadsRequest, uploads: Upload[]): ListUploadsPage {
  const entries = modelEntries(request, uploads);
  const kept = entries.slice(0, request.maxUploads);
  return {
    uploads: kept.flatMap((entry) => ('upload' in entry ? [multipartUpload(entry.upload)] : [])),
    commonPrefixes: kept.flatMap((entry) => ('commonPrefix' in entry ? [entry.commonPrefix] : [])),
    isTruncated: entries.length > request.maxUploads,
  };
}

/** Keys from a few characters that make the rules' cases: the delimiters, and characters whose UTF-8 and UTF-16 orders differ. */
const keyArbitrary = fc.string({ unit: fc.constantFrom('a', 'b', '/', '-', 'é', '\uffff', '\u{10000}'), maxLength: 5 });
const uploadsArbitrary = fc.uniqueArray(fc.record({ key: keyArbitrary, uploadId: fc.constantFrom('0a', '0b', '1a', '1b') }), {
  maxLength: 25,
  selector: (upload) => `${upload.key}\n${upload.uploadId}`,
});
const requestArbitrary = (keys: string[]): fc.Arbitrary<ListUploadsRequest> =>
  fc.record(
    {
      prefix: fc.oneof(fc.constantFrom('', 'a', 'a/'), keyArbitrary),
      delimiter: fc.option(fc.constantFrom('/', 'b', 'a/'), { nil: undefined }),
      keyMarker: fc.option(keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), keyArbitrary) : keyArbitrary, { nil: undefined }),
      uploadIdMarker: fc.option(fc.constantFrom('0a', '0b', '1', '1b', ''), { nil: undefined }),
      maxUploads: fc.integer({ min: 0, max: 8 }),
    },
    { requiredKeys: ['prefix', 'maxUploads'] },
  );
const casesArbitrary = uploadsArbitrary.chain((uploads) => fc.tuple(fc.constant(uploads), requestArbitrary(uploads.map((upload) => upload.key))));

describe('S3 listing rules', () => {
  it('orders keys by their UTF-8 bytes', () => {
    expect(['b', '\u{10000}', 'a', '\uffff', 'é'].sort(compareUtf8)).toEqual(['a', 'b', 'é', '\uffff', '\u{10000}']);
  });

  it('rolls a key up at the first delimiter after the prefix', () => {
    expect(commonPrefixOf('a/b/c', '', '/')).toBe('a/');
    expect(commonPrefixOf('a/b/c', 'a/', '/')).toBe('a/b/');
    expect(commonPrefixOf('a/b/c', 'a/b/', '/')).toBeUndefined();
    expect(commonPrefixOf('photos::2024::x', 'photos', '::')).toBe('photos::');
  });
});

describe('a ListMultipartUploads page', () => {
  it('holds what the model of S3 listing says, whether the lister skips the uploads under a common prefix or not', () => {
    fc.assert(
      fc.property(casesArbitrary, ([uploads, request]) => {
        const sorted = inListingOrder(uploads);
        const expected = modelPage(request, uploads);
        expect(pageOf(request, sorted)).toEqual(expected);
        expect(pageSkipping(request, sorted)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('pages through every entry exactly once when each page starts at the markers the previous one ends with', () => {
    fc.assert(
      fc.property(casesArbitrary, ([uploads, request]) => {
        const sorted = inListingOrder(uploads);
        const all = modelEntries({ ...request, keyMarker: undefined, uploadIdMarker: undefined }, uploads);
        const maxUploads = Math.max(1, request.maxUploads);
        const listed: Entry[] = [];
        let markers: Pick<ListUploadsRequest, 'keyMarker' | 'uploadIdMarker'> = { keyMarker: undefined, uploadIdMarker: undefined };
        for (let pages = 0; pages <= all.length; pages += 1) {
          const page = pageSkipping({ ...request, ...markers, maxUploads }, sorted);
          const entries: Entry[] = [
            ...page.uploads.map((upload) => ({ upload: { key: upload.key, uploadId: upload.uploadId } })),
            ...page.commonPrefixes.map((commonPrefix) => ({ commonPrefix })),
          ];
          const keyOf = (entry: Entry) => ('upload' in entry ? entry.upload.key : entry.commonPrefix);
          listed.push(...entries.sort((a, b) => compareUtf8(keyOf(a), keyOf(b))));
          if (!page.isTruncated) break;
          // As the gateway answers NextKeyMarker and NextUploadIdMarker (multipart.service.ts).
          const last = page.uploads.at(-1);
          const lastPrefix = page.commonPrefixes.at(-1);
          const next = last === undefined || (lastPrefix !== undefined && compareUtf8(lastPrefix, last.key) > 0) ? lastPrefix! : last.key;
          markers = { keyMarker: next, uploadIdMarker: next === last?.key ? last.uploadId : undefined };
        }
        expect(listed).toEqual(all);
      }),
      { numRuns: 300 },
    );
  });

  it('is truncated only when another entry follows, and offers no more once full', () => {
    const page = new UploadsPage({ prefix: '', delimiter: '/', maxUploads: 2 });
    const add = (key: string, uploadId = '0a') => page.add(key, uploadId, () => multipartUpload({ key, uploadId }));
    expect(add('a')).toBe('next');
    expect(add('d/1')).toEqual({ skipPast: 'd/' });
    expect(add('d/2')).toEqual({ skipPast: 'd/' });
    expect(page.isTruncated).toBe(false);
    expect(add('e')).toBe('full');
    expect(add('f')).toBe('full');
    expect(page.page).toEqual({ uploads: [multipartUpload({ key: 'a', uploadId: '0a' })], commonPrefixes: ['d/'], isTruncated: true });
  });
});
