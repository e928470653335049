import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { connectStreams, connectStreamsAsync } from './connect';

function collector(): Writable & { chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return Object.assign(sink, { chunks });
}

function upperCase(): Transform {
  return new Transform({ transform: (chunk: Buffer, _encoding, callback) => callback(null, Buffer.from(chunk.toString().toUpperCase())) });
}

describe('connectStreams', () => {
  it('moves every byte through the stages and settles once the last stream finished', async () => {
    const sink = collector();
    await connectStreamsAsync([Readable.from([Buffer.from('abc'), Buffer.from('def')]), upperCase(), new PassThrough(), sink]);
    expect(Buffer.concat(sink.chunks).toString()).toBe('ABCDEF');
    expect(sink.writableFinished).toBe(true);
  });

  it('destroys every stream with the first error of a middle stage and reports that error once', async () => {
    const source = new PassThrough();
    const failing = new Transform({ transform: (_chunk, _encoding, callback) => callback(new Error('bad framing')) });
    const sink = collector();
    const reports: Array<Error | undefined> = [];
    const settled = new Promise<void>((resolve) => connectStreams([source, failing, sink], (err) => (reports.push(err), resolve())));
    source.write('x');
    await settled;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports.map((err) => err?.message)).toEqual(['bad framing']);
    expect(source.destroyed && failing.destroyed && sink.destroyed).toBe(true);
    expect(sink.chunks).toEqual([]);
  });

  it('treats a source that closes before its end as an error (a client that went away)', async () => {
    const source = new PassThrough();
    const stage = new PassThrough();
    const done = connectStreamsAsync([source, stage, collector()]);
    source.write('partial');
    source.destroy();
    await expect(done).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(stage.destroyed).toBe(true);
  });

  it('hands a reader of the last stage the error of the source', async () => {
    const source = new PassThrough();
    const last = new PassThrough();
    connectStreams([source, last]);
    const read = (async () => {
      for await (const chunk of last) void chunk;
    })();
    source.destroy(new Error('connection reset'));
    await expect(read).rejects.toThrow('connection reset');
  });
});
