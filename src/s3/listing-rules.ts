import type { ListUploadsPage, ListUploadsRequest, MultipartUpload } from '../ais/store';

/**
 * S3's listing rules, the same whichever store holds the keys: keys list in the byte order of their UTF-8
 * encoding, and with a delimiter every key that has the delimiter after the prefix rolls up into one
 * common prefix.
 */

/** S3's listing order: the byte order of the keys' UTF-8 encodings (not JavaScript's UTF-16 order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The common prefix `key` rolls up into under `delimiter`, if any. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/** What a lister does after offering an upload to an UploadsPage. */
export type UploadStep =
  /** Offer the next upload. */
  | 'next'
  /** The upload lies under this common prefix (given on this page or an earlier one): every upload under it may be skipped. */
  | { skipPast: string }
  /** The page is full, and truncated: offer no more. */
  | 'full';

/**
 * One ListMultipartUploads page, built from a bucket's uploads in progress offered in S3's order (by key in
 * UTF-8 byte order, then by upload id) from the markers on: uploads at or before the markers and outside the
 * prefix are passed over, keys with the delimiter after the prefix roll up into common prefixes (each given
 * once, and not again on a later page: one at or before the key marker was given already), and the page
 * holds at most max-uploads entries, truncated when another one follows.
 */
export class UploadsPage {
  readonly uploads: MultipartUpload[] = [];
  readonly commonPrefixes: string[] = [];
  isTruncated = false;

  constructor(private readonly request: ListUploadsRequest) {}

  /** Offers the next upload (`upload` makes what the page lists of it, only if it does). */
  add(key: string, uploadId: string, upload: () => MultipartUpload): UploadStep {
    if (this.isTruncated) return 'full';
    const { prefix, delimiter, maxUploads } = this.request;
    if (!key.startsWith(prefix) || !this.afterMarkers(key, uploadId)) return 'next';
    const rollUp = delimiter ? commonPrefixOf(key, prefix, delimiter) : undefined;
    const given = rollUp !== undefined && (this.commonPrefixes.at(-1) === rollUp || !this.afterMarkers(rollUp, ''));
    if (!given) {
      if (this.uploads.length + this.commonPrefixes.length === maxUploads) {
        this.isTruncated = true;
        return 'full';
      }
      if (rollUp === undefined) this.uploads.push(upload());
      else this.commonPrefixes.push(rollUp);
    }
    return rollUp === undefined ? 'next' : { skipPast: rollUp };
  }

  get page(): ListUploadsPage {
    return { uploads: this.uploads, commonPrefixes: this.commonPrefixes, isTruncated: this.isTruncated };
  }

  /** S3: after the key marker, or at it with an upload id after the upload-id marker. */
  private afterMarkers(key: string, uploadId: string): boolean {
    const { keyMarker, uploadIdMarker } = this.request;
    if (keyMarker === undefined) return true;
    if (key !== keyMarker) return compareUtf8(key, keyMarker) > 0;
    return uploadIdMarker !== undefined && uploadId > uploadIdMarker;
  }
}
