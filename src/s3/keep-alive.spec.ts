import Fastify, { type FastifyInstance } from 'fastify';
import { Client } from 'undici';
import { S3Error } from './errors';
import { sendKeptAlive } from './keep-alive';
import { xmlResponse, type S3Response } from './response';
import { errorCodeOf, type S3Request } from './s3-request';

const RESULT: S3Response = {
  ...xmlResponse('CompleteMultipartUploadResult', { ETag: '"abc-2"' }),
  headers: { 'content-type': 'application/xml', 'x-amz-version-id': 'v1' },
};

function after<T>(ms: number, outcome: () => T): Promise<T> {
  return new Promise<void>((done) => setTimeout(done, ms)).then(outcome);
}

/** Apps a test started: closed after it, passed or failed (a listening app left open keeps jest from exiting). */
const started: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.close()));
});

/** A real Fastify app whose one route answers through sendKeptAlive with the given answer and interval. */
async function appAnswering(answer: () => Promise<S3Response>, intervalMs: number): Promise<{ app: FastifyInstance; codes: Array<string | undefined> }> {
  const app = Fastify();
  started.push(app);
  const codes: Array<string | undefined> = [];
  app.post('/b/k', async (request, reply) => {
    const s3Request = { id: 'REQ1', raw: request.raw, originalUrl: request.url } as unknown as S3Request;
    reply.raw.once('finish', () => codes.push(errorCodeOf(request.raw)));
    try {
      await sendKeptAlive(reply, s3Request, answer(), intervalMs);
    } catch (err) {
      // What the gateway's exception filter does with it: the error's own status.
      return reply.code((err as S3Error).status).send((err as S3Error).code);
    }
    return reply;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, codes };
}

/**
 * A slow operation that the test settles itself, once the client has read `spaces` spaces after the declaration:
 * the kept-alive path is then certain to have been taken and seen, however loaded the machine is.
 */
function settledAfterSpaces(spaces: number, outcome: () => S3Response): { answer: () => Promise<S3Response>; watch: (received: string) => void } {
  let settle: () => void = () => undefined;
  const seen = new Promise<void>((done) => (settle = done));
  return {
    answer: () => seen.then(outcome),
    watch: (received) => {
      if ((/^<\?xml[^>]*\?>( *)/.exec(received)?.[1].length ?? 0) >= spaces) settle();
    },
  };
}

/** A POST over a real connection: status, headers and the whole body; `watch` sees the body as it arrives. */
async function post(
  app: FastifyInstance,
  path: string,
  watch?: (received: string) => void,
): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> {
  const address = app.server.address() as { port: number };
  const client = new Client(`http://127.0.0.1:${address.port}`);
  try {
    const answer = await client.request({ path, method: 'POST' });
    let body = '';
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      body += chunk.toString('utf8');
      watch?.(body);
    }
    return { statusCode: answer.statusCode, headers: answer.headers, body };
  } finally {
    await client.close();
  }
}

describe('sendKeptAlive', () => {
  it('sends an answer that is ready in time as it is, with its status and headers', async () => {
    const { app } = await appAnswering(() => after(1, () => RESULT), 200);
    const response = await post(app, '/b/k?uploadId=1');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amz-version-id']).toBe('v1');
    expect(response.body).toBe(RESULT.body);
  });

  it('hands an error that comes in time to the usual error path, which gives it its own status', async () => {
    const { app } = await appAnswering(
      () =>
        after(1, () => {
          throw new S3Error('InvalidPart');
        }),
      200,
    );
    await expect(post(app, '/b/k')).resolves.toMatchObject({ statusCode: 400, body: 'InvalidPart' });
  });

  it('answers a slow operation at once with 200, keeps the connection busy with spaces, then sends the document', async () => {
    const slow = settledAfterSpaces(2, () => RESULT);
    const { app } = await appAnswering(slow.answer, 20);
    const response = await post(app, '/b/k', slow.watch);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/xml');
    const body = response.body;
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?> ')).toBe(true);
    const spaces = /^<\?xml[^>]*\?>( *)</.exec(body)![1].length;
    expect(spaces).toBeGreaterThanOrEqual(2);
    // One declaration, then the result element: still one well-formed document.
    expect(body.replace(/^<\?xml[^>]*\?> */, '')).toBe((RESULT.body as string).replace(/^<\?xml[^>]*\?>/, ''));
  });

  it('ends a slow operation that fails with an S3 <Error> document in the 200, and counts its code', async () => {
    const slow = settledAfterSpaces(1, () => {
      throw new S3Error('InvalidPart');
    });
    const { app, codes } = await appAnswering(slow.answer, 20);
    const response = await post(app, '/b/k?uploadId=1', slow.watch);
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?> +<Error><Code>InvalidPart<\/Code>.*<Resource>\/b\/k<\/Resource><RequestId>REQ1<\/RequestId><\/Error>$/s,
    );
    expect(codes).toEqual(['InvalidPart']);
  });
});
