import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { S3Error } from '../s3/errors';
import { headerValue } from '../s3/headers';

/** S3 reads at most 20 KB of fields and boundaries before the file ("HTML forms": MaxPostPreDataLengthExceeded). */
export const MAX_PRE_FILE_BYTES = 20 * 1024;

/** A POST Object form, read up to the start of its file. */
export interface PostForm {
  /** The fields before the file, names lower-cased (S3 reads them case-insensitively); the first of a repeated name counts. */
  fields: Map<string, string>;
  /** The file's bytes, streamed as they arrive. */
  file: Readable;
  /** The file part's file name (`${filename}` in the key), without any path. */
  filename?: string;
  /**
   * Settles when the rest of the request has been read: fields after the file are ignored, as S3 ignores them. Rejects
   * when the form is cut short or malformed, so an upload is kept only once the whole form arrived.
   */
  finished: Promise<void>;
  /** Stops reading the request (the upload failed). */
  abandon(): void;
  /**
   * The S3 error for a file part that broke off in the form's framing (busboy fails the file stream with an Error of
   * its own, e.g. a part with no closing boundary); undefined while the file is intact.
   */
  framingError(): S3Error | undefined;
}

function notMultipart(): S3Error {
  return new S3Error('PreconditionFailed', undefined, { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
}

/**
 * Reads a `multipart/form-data` body with @fastify/busboy until the part named `file` begins, and hands the file on
 * as a stream with backpressure: the request is read only as fast as the store takes the file, so a multi-GiB form
 * holds no more memory than a PUT.
 */
export function readPostForm(raw: IncomingMessage, headers: IncomingHttpHeaders): Promise<PostForm> {
  const contentType = headerValue(headers, 'content-type');
  if (contentType === undefined || !/^multipart\/form-data\s*;/i.test(contentType)) return Promise.reject(notMultipart());
  let parser: InstanceType<typeof Busboy>;
  try {
    parser = new Busboy({
      headers: { ...headers, 'content-type': contentType },
      // The part named `file` is the file, whether or not it has a file name ("file or text content").
      isPartAFile: (name) => name?.toLowerCase() === 'file',
      limits: { fieldSize: MAX_PRE_FILE_BYTES + 1, files: 1 },
    });
  } catch {
    return Promise.reject(new S3Error('MalformedPOSTRequest'));
  }
  const abandon = (): void => {
    raw.unpipe(parser);
    raw.resume();
  };
  return new Promise<PostForm>((resolve, reject) => {
    const fields = new Map<string, string>();
    let preFileBytes = 0;
    let fileSeen = false;
    let current: Readable | undefined;
    let settleFinished: (error?: Error) => void = () => undefined;
    const finished = new Promise<void>((done, fail) => {
      settleFinished = (error) => (error === undefined ? done() : fail(error));
    });
    // Nobody may be waiting yet (the upload failed first): never an unhandled rejection.
    finished.catch(() => undefined);
    const refuse = (error: S3Error): void => {
      abandon();
      reject(error);
    };

    parser.on('field', (name: string, value: string, nameTruncated: boolean, valueTruncated: boolean) => {
      if (fileSeen) return;
      preFileBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (nameTruncated || valueTruncated || preFileBytes > MAX_PRE_FILE_BYTES) return refuse(new S3Error('MaxPostPreDataLengthExceeded'));
      const lower = name.toLowerCase();
      if (!fields.has(lower)) fields.set(lower, value);
    });
    parser.on('file', (_name: string, file: BusboyFileStream, filename: string | undefined) => {
      fileSeen = true;
      current = file;
      let framingError: S3Error | undefined;
      file.on('error', (error: Error) => {
        if (error instanceof S3Error || framingError !== undefined) return;
        framingError = new S3Error('MalformedPOSTRequest');
        // busboy emits 'error' on the file without destroying it: a reader that attaches later (the upload starts
        // only after the access checks, which may wait on the store) would wait for an end that never comes.
        file.destroy(framingError);
      });
      resolve({ fields, file, filename: filename === '' ? undefined : filename, finished, abandon, framingError: () => framingError });
    });
    parser.on('finish', () => {
      if (!fileSeen) refuse(new S3Error('IncorrectNumberOfFilesInPostRequest', undefined, { ArgumentName: 'file', ArgumentValue: '0' }));
      settleFinished();
    });
    parser.on('error', () => {
      const error = new S3Error('MalformedPOSTRequest');
      if (!fileSeen) refuse(error);
      settleFinished(error);
    });
    // A client that goes away mid-form: the file stream fails, so the store keeps nothing.
    const cutShort = (): void => {
      const error = new S3Error('IncompleteBody', 'The request body ended before the form was complete.');
      current?.destroy(error);
      if (!fileSeen) reject(error);
      settleFinished(error);
    };
    raw.on('aborted', cutShort);
    raw.on('error', () => cutShort());
    raw.pipe(parser);
  });
}
