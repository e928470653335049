import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { readWhole, UploadBody } from './upload-body';

function source(...chunks: string[]): PassThrough {
  const stream = new PassThrough();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return stream;
}

describe('readWhole', () => {
  it('answers a body that ends within the limit as one buffer', async () => {
    expect((await readWhole(source('ab', 'cd'), 4))?.toString()).toBe('abcd');
    expect((await readWhole(Readable.from([]), 4))?.length).toBe(0);
  });

  it('answers undefined for a longer body and leaves every byte of it to be read', async () => {
    const body = source('ab', 'cd', 'ef');
    expect(await readWhole(body, 3)).toBeUndefined();
    expect(await text(new UploadBody(body))).toBe('abcdef');
  });

  it('rejects with the error of the body', async () => {
    const body = new PassThrough();
    const read = readWhole(body, 10);
    body.destroy(new Error('client went away'));
    await expect(read).rejects.toThrow('client went away');
  });

  it('rejects for a body that failed or closed before the read began', async () => {
    const failed = new PassThrough().on('error', () => undefined);
    failed.destroy(new Error('IncompleteBody'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(readWhole(failed, 10)).rejects.toThrow('IncompleteBody');
    const closed = new PassThrough();
    closed.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(readWhole(closed, 10)).rejects.toThrow('the body closed before its end');
  });
});

describe('UploadBody', () => {
  it('does not touch its source until read, so that another attempt can send it', async () => {
    const body = source('abc');
    const unread = new UploadBody(body);
    unread.destroy();
    expect(unread.touched).toBe(false);
    expect(await text(new UploadBody(body))).toBe('abc');
  });

  it('ends only once beforeEnd has resolved, and fails with its rejection', async () => {
    const order: string[] = [];
    const passed = new UploadBody(source('abc'), () => {
      order.push('checked');
      return Promise.resolve();
    });
    passed.on('end', () => order.push('end'));
    expect(await text(passed)).toBe('abc');
    expect(order).toEqual(['checked', 'end']);
    await expect(text(new UploadBody(source('abc'), () => Promise.reject(new Error('BadDigest'))))).rejects.toThrow('BadDigest');
  });

  it('fails at once for a source closed before the attempt read it', async () => {
    const closed = new PassThrough();
    closed.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(text(new UploadBody(closed))).rejects.toThrow('the body closed before its end');
  });

  it('destroys a source it has started reading when the attempt gives up', async () => {
    const body = new PassThrough();
    body.write('ab');
    const attempt = new UploadBody(body).on('error', () => undefined);
    attempt.resume();
    await new Promise((resolve) => setImmediate(resolve));
    attempt.destroy(new Error('AIS went away'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.destroyed).toBe(true);
  });
});
