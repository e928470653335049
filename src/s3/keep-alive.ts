import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { isS3Error, S3Error } from './errors';
import { errorResponse, type S3Response, send } from './response';
import { recordErrorCode, type S3Request } from './s3-request';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * A document answer without its declaration, which the kept-alive answer has sent already. Only documents are
 * kept alive (a Complete's result, an error): a streamed body cannot follow the spaces.
 */
function documentWithoutDeclaration(body: S3Response['body']): string {
  if (body instanceof Readable) throw new Error('a kept-alive answer must be a document, not a stream');
  const xml = body === undefined ? '' : typeof body === 'string' ? body : body.toString('utf8');
  return xml.startsWith(XML_DECLARATION) ? xml.slice(XML_DECLARATION.length) : xml;
}

/**
 * Answers an operation that may take longer than clients wait for a response (CompleteMultipartUpload on a
 * backend that copies the parts: AIS passes every byte again, about 3.6 s per GiB here, and the aws CLI gives
 * up after 60 s). What is ready within `intervalMs` is sent as usual. Otherwise, as S3 does: 200 with the XML
 * declaration at once, a space every `intervalMs`, then the result document, or an `<Error>` document, which
 * S3 clients look for in a 200 of this operation. Headers known only at the end (x-amz-version-id, checksums)
 * cannot follow then; the result document carries the ETag and checksums.
 */
export async function sendKeptAlive(reply: FastifyReply, request: S3Request, answer: Promise<S3Response>, intervalMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), intervalMs)));
  const first = await Promise.race([answer, slow]).finally(() => clearTimeout(timer));
  if (first !== 'slow') {
    send(reply, first);
    return;
  }
  const body = new Readable({ read: () => undefined });
  body.push(XML_DECLARATION);
  const spaces = setInterval(() => body.push(' '), intervalMs);
  void answer
    .then(
      (response) => body.push(documentWithoutDeclaration(response.body)),
      (err: unknown) => {
        const error = isS3Error(err) ? err : new S3Error('InternalError');
        if (!isS3Error(err)) reply.log.error({ err }, 'failed after its answer had started');
        recordErrorCode(request.raw, error.code);
        const document = errorResponse(error, request.originalUrl.split('?')[0], request.id, false).body;
        body.push(documentWithoutDeclaration(document));
      },
    )
    .finally(() => {
      clearInterval(spaces);
      body.push(null);
    });
  // The client going away stops the spaces; the operation itself finishes (a retried Complete answers the same).
  body.once('close', () => clearInterval(spaces));
  reply.code(200).header('content-type', 'application/xml').send(body);
}
