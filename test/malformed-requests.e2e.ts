import { connect } from 'node:net';
import { useGateway } from './support/fixture';

/** Sends raw bytes and reads the whole answer until the gateway closes the connection. */
function sendRaw(origin: string, bytes: Buffer): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('requests the HTTP parser cannot read', () => {
  const fixture = useGateway();

  it('answers an unparsable request line with a 400 S3 XML error and closes the connection', async () => {
    const answer = await sendRaw(fixture.gateway.origin, Buffer.from('GARBAGE\r\n\r\n'));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('Content-Type: application/xml');
    expect(answer).toContain('<Code>InvalidRequest</Code>');
  });

  it('answers oversized headers with a 431 S3 XML error', async () => {
    const request = Buffer.concat([Buffer.from('GET /s3/ HTTP/1.1\r\nHost: x\r\nX-Big: '), Buffer.alloc(20000, 'a'), Buffer.from('\r\n\r\n')]);
    const answer = await sendRaw(fixture.gateway.origin, request);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('<Message>Your request headers are too large.</Message>');
  });
});
