import { Readable } from 'node:stream';

/** The error of a body that was destroyed before its end: its own, or a plain "closed early". */
function endedEarly(stream: Readable): Error {
  return stream.errored ?? new Error('the body closed before its end');
}

/**
 * A streamed object body as one attempt to send it reads it. Until undici first reads this stream, `source` is
 * untouched: undici destroys the body of a request whose connection fails, and the next attempt (the proxy,
 * after a failed direct call) still needs the source. `beforeEnd` runs after the source's last byte and before
 * this stream ends: undici sends the end of a chunked upload only then, so a rejection aborts the upload.
 *
 * One plain Readable fed from the source's 'data' events: Readable.from(async generator) cost a few promises per
 * chunk, and a separate Transform for `beforeEnd` another stream stage.
 */
export class UploadBody extends Readable {
  private started = false;
  private ended = false;

  constructor(
    private readonly source: Readable,
    private readonly beforeEnd?: () => Promise<void>,
  ) {
    super();
  }

  /** Whether this attempt has read from the source: no other attempt can send it then. */
  get touched(): boolean {
    return this.started;
  }

  override _read(): void {
    if (this.started) {
      this.source.resume();
      return;
    }
    this.started = true;
    const source = this.source;
    // A body that failed while the write still waited (on a HEAD, a lock) has already said so: no event will come.
    if (source.destroyed) {
      this.destroy(endedEarly(source));
      return;
    }
    source.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) source.pause();
    });
    source.once('end', () => this.finish());
    source.once('error', (err) => this.destroy(err));
    source.once('close', () => {
      if (!this.ended && !source.errored) this.destroy(endedEarly(source));
    });
    source.resume();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // The attempt gave up after reading part of the body: nothing else will read the rest.
    if (this.started && !this.ended) this.source.destroy(err ?? undefined);
    callback(err);
  }

  private finish(): void {
    this.ended = true;
    if (this.beforeEnd === undefined) {
      this.push(null);
      return;
    }
    this.beforeEnd().then(
      () => this.push(null),
      (err: unknown) => this.destroy(err as Error),
    );
  }
}

/**
 * The whole body when it ends within `limit` bytes; undefined when it is longer, with the bytes read so far put
 * back (Readable.unshift), so the stream reads as if untouched. Rejects with the body's error.
 */
export function readWhole(stream: Readable, limit: number): Promise<Buffer | undefined> {
  // Failed before this read began (e.g. a framing error while the write awaited its checks): its 'error' and
  // 'close' are gone, and listening for them would wait forever.
  if (stream.destroyed) return Promise.reject(endedEarly(stream));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      stream.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      // Paused before the listener goes: a flowing stream without 'data' listeners would drop its bytes.
      stream.pause();
      stop();
      for (let at = chunks.length - 1; at >= 0; at -= 1) stream.unshift(chunks[at]);
      resolve(undefined);
    };
    const onEnd = (): void => {
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      stop();
      reject(err);
    };
    const onClose = (): void => {
      stop();
      reject(endedEarly(stream));
    };
    stream.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}
