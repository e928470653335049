import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { S3Error } from './errors';
import { toXml, type XmlElement } from './xml';

export type HeaderValue = string | number | readonly string[];

/** What a handler answers; the protocol layer turns it into bytes on the socket. */
export interface S3Response {
  status?: number;
  headers?: Record<string, HeaderValue | undefined>;
  body?: string | Buffer | Readable;
}

export function xmlResponse(root: string, content: XmlElement, status = 200): S3Response {
  return { status, headers: { 'content-type': 'application/xml' }, body: toXml(root, content) };
}

export function emptyResponse(status = 200, headers: S3Response['headers'] = {}): S3Response {
  return { status, headers };
}

export function send(reply: FastifyReply, response: S3Response): FastifyReply {
  reply.code(response.status ?? 200);
  if (response.headers) {
    for (const name in response.headers) {
      const value = response.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
  }
  return reply.send(response.body);
}

/** `<Error>` document (S3 API reference, "Error responses"); HEAD answers carry no body. */
export function errorResponse(error: S3Error, resource: string, requestId: string, isHead: boolean): S3Response {
  // HEAD answers and 304 Not Modified carry no body (RFC 9110).
  if (isHead || error.status === 304) return { status: error.status, headers: error.headers };
  const headers = { ...error.headers, 'content-type': 'application/xml' };
  const content: XmlElement = { Code: error.code, Message: error.message, ...error.details, Resource: resource, RequestId: requestId };
  return { status: error.status, headers, body: toXml('Error', content, false) };
}
