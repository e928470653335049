/**
 * Streaming decoder for `Content-Encoding: aws-chunked` request bodies (SigV4 "transferring payload
 * in multiple chunks", with or without chunk signatures and trailing headers):
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<size bytes>\r\n   repeated, then
 *   0[;chunk-signature=<sig>]\r\n
 *   <name>:<value>\r\n                                      zero or more trailer lines
 *   \r\n
 *
 * Data is passed on as views of the input buffers as soon as it arrives, so memory stays bounded by
 * the line limits below whatever the body size. The flip side: a chunk's bytes are downstream
 * before its signature is checked, so consumers must treat the output as unverified until the
 * stream ends without error.
 *
 * Left to the caller: checking that the trailers announced in x-amz-trailer arrived (a body may
 * end right after the final chunk, see isComplete), checksum values, the trailer signature.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from './errors';

export interface ChunkSignatureVerifier {
  /** Called once per chunk (including the final empty one) in order, with the chunk's signature extension value (undefined if absent) and the hex SHA-256 of the chunk's data. Throw an S3Error to abort. */
  verifyChunk(signature: string | undefined, dataSha256Hex: string): void;
}

export interface AwsChunkedOptions {
  /** x-amz-decoded-content-length (parsed and checked to be a non-negative integer by the caller), if the client sent it: decoded total must equal it (IncompleteBody otherwise; more bytes than this is an error as soon as it is seen). */
  decodedLength?: number;
  /** Only when set is SHA-256 computed per chunk. */
  verifier?: ChunkSignatureVerifier;
}

/** Longest chunk size line accepted, CRLF included; a signed one is about 85 bytes. */
export const MAX_SIZE_LINE = 4 * 1024;
/** Longest trailer section accepted (all trailer lines and the closing CRLF). */
export const MAX_TRAILER_SECTION = 16 * 1024;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CR = 0x0d;
const LF = 0x0a;
/** 16 hex digits already exceed Number.MAX_SAFE_INTEGER; more is never a real chunk. */
const CHUNK_SIZE = /^[0-9a-fA-F]{1,16}$/;
/** An HTTP token (RFC 9110), for chunk extension and trailer names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Field value characters: visible ASCII, space, tab and obs-text; no CR, LF or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

type Phase = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

interface LineKind {
  readonly max: number;
  readonly tooLong: string;
  readonly noCrlf: string;
}

const SIZE_LINE: LineKind = {
  max: MAX_SIZE_LINE,
  tooLong: `aws-chunked chunk size line is longer than ${MAX_SIZE_LINE} bytes.`,
  noCrlf: 'aws-chunked chunk size line does not end with CRLF.',
};

const TRAILER_LINE: LineKind = {
  max: MAX_TRAILER_SECTION,
  tooLong: `aws-chunked trailer section is longer than ${MAX_TRAILER_SECTION} bytes.`,
  noCrlf: 'aws-chunked trailer line does not end with CRLF.',
};

export class AwsChunkedDecoder extends Transform {
  /** Trailer headers (lowercased names), complete once the stream has ended ('end'/'finish'). */
  readonly trailers = new Map<string, string>();

  private readonly decodedLength: number | undefined;
  private readonly verifier: ChunkSignatureVerifier | undefined;
  private readonly lines = new LineReader(Math.max(SIZE_LINE.max, TRAILER_LINE.max));
  private phase: Phase = 'size';
  /** Data bytes of the current chunk not yet seen. */
  private remaining = 0;
  /** Bytes of the CRLF after the current chunk's data already seen (0 or 1). */
  private crlfSeen = 0;
  private decodedSoFar = 0;
  private trailerBytes = 0;
  private chunkSignature: string | undefined;
  private chunkHash: Hash | undefined;

  constructor(opts: AwsChunkedOptions = {}) {
    super();
    this.decodedLength = opts.decodedLength;
    this.verifier = opts.verifier;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.isComplete() ? undefined : incomplete(this.truncationMessage()));
  }

  private consume(input: Buffer): void {
    let pos = 0;
    while (pos < input.length) {
      switch (this.phase) {
        case 'size':
          pos = this.readSizeLine(input, pos);
          break;
        case 'data':
          pos = this.readData(input, pos);
          break;
        case 'data-crlf':
          pos = this.readDataCrlf(input, pos);
          break;
        case 'trailer':
          pos = this.readTrailerLine(input, pos);
          break;
        case 'done':
          throw invalid('aws-chunked body has data after its final CRLF.');
      }
    }
  }

  private readSizeLine(input: Buffer, pos: number): number {
    const line = this.lines.take(input, pos, SIZE_LINE);
    if (line === undefined) return input.length;
    const { size, signature } = parseSizeLine(line.text);
    this.startChunk(size, signature);
    return line.end;
  }

  private startChunk(size: number, signature: string | undefined): void {
    if (this.decodedLength !== undefined && this.decodedSoFar + size > this.decodedLength) {
      throw incomplete(`aws-chunked body decodes to more than x-amz-decoded-content-length (${this.decodedLength}) bytes.`);
    }
    this.chunkSignature = signature;
    if (size === 0) {
      this.endData();
      return;
    }
    this.remaining = size;
    this.chunkHash = this.verifier && createHash('sha256');
    this.phase = 'data';
  }

  private readData(input: Buffer, pos: number): number {
    const end = Math.min(input.length, pos + this.remaining);
    const data = input.subarray(pos, end);
    this.chunkHash?.update(data);
    this.push(data);
    this.decodedSoFar += data.length;
    this.remaining -= data.length;
    if (this.remaining === 0) {
      if (this.verifier) this.verifier.verifyChunk(this.chunkSignature, this.chunkHash!.digest('hex'));
      this.crlfSeen = 0;
      this.phase = 'data-crlf';
    }
    return end;
  }

  /** The CRLF closing a chunk's data; bytewise as it may arrive split, and it is only 2 bytes. */
  private readDataCrlf(input: Buffer, pos: number): number {
    if (input[pos] !== (this.crlfSeen === 0 ? CR : LF)) {
      throw invalid('aws-chunked chunk data is not followed by CRLF (chunk longer than its declared size?).');
    }
    if (++this.crlfSeen === 2) this.phase = 'size';
    return pos + 1;
  }

  /** The zero-size chunk: all data is in. */
  private endData(): void {
    this.verifier?.verifyChunk(this.chunkSignature, EMPTY_SHA256);
    if (this.decodedLength !== undefined && this.decodedSoFar !== this.decodedLength) {
      throw incomplete(`aws-chunked body decodes to ${this.decodedSoFar} bytes, x-amz-decoded-content-length says ${this.decodedLength}.`);
    }
    this.phase = 'trailer';
  }

  private readTrailerLine(input: Buffer, pos: number): number {
    const line = this.lines.take(input, pos, TRAILER_LINE, this.trailerBytes);
    if (line === undefined) return input.length;
    this.trailerBytes += line.length;
    if (line.text === '') {
      this.phase = 'done';
    } else {
      this.addTrailer(line.text);
    }
    return line.end;
  }

  private addTrailer(line: string): void {
    const malformed = () => invalid(`aws-chunked trailer line is malformed: ${JSON.stringify(line.slice(0, 64))}.`);
    const colon = line.indexOf(':');
    if (colon < 0) throw malformed();
    // Whitespace around the colon is tolerated, as S3 does.
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) throw malformed();
    if (this.trailers.has(name)) throw invalid(`aws-chunked trailer ${name} appears twice.`);
    this.trailers.set(name, value);
  }

  /**
   * Done after the closing CRLF; also right after the final chunk's line when no trailer line has
   * started, because @smithy/util-stream's aws-chunked encoder (used by @aws-sdk/client-s3) ends
   * with just "0\r\n" when it has no checksum to send.
   */
  private isComplete(): boolean {
    return this.phase === 'done' || (this.phase === 'trailer' && this.trailerBytes === 0 && this.lines.isEmpty);
  }

  private truncationMessage(): string {
    return this.phase === 'trailer' ? 'aws-chunked body ended inside its trailer section.' : 'aws-chunked body ended before its final (zero-size) chunk.';
  }
}

/** "<hex>[;name[=value]]*": the size, and the chunk-signature extension if present; other extensions are ignored. */
function parseSizeLine(line: string): { size: number; signature: string | undefined } {
  const [hex, ...extensions] = line.split(';');
  if (!CHUNK_SIZE.test(hex)) throw invalid(`aws-chunked chunk size is not valid hex: ${JSON.stringify(hex.slice(0, 32))}.`);
  const size = parseInt(hex, 16);
  if (!Number.isSafeInteger(size)) throw invalid(`aws-chunked chunk size ${hex} is too large.`);
  let signature: string | undefined;
  for (const extension of extensions) {
    const eq = extension.indexOf('=');
    const name = eq < 0 ? extension : extension.slice(0, eq);
    if (!TOKEN.test(name)) throw invalid(`aws-chunked chunk extension is malformed: ${JSON.stringify(extension.slice(0, 64))}.`);
    if (name.toLowerCase() === 'chunk-signature') {
      if (eq < 0 || signature !== undefined) throw invalid('aws-chunked chunk-signature is malformed or repeated.');
      signature = extension.slice(eq + 1);
    }
  }
  return { size, signature };
}

interface Line {
  /** The line without its CRLF, latin1-decoded. */
  text: string;
  /** Its length in bytes, CRLF included. */
  length: number;
  /** The index in the input just past its LF. */
  end: number;
}

/**
 * Cuts CRLF-terminated lines out of input buffers. A line split across buffers is copied into a
 * fixed store (never more than the caller's limit), so no input buffer is pinned by a slow sender.
 */
class LineReader {
  private store: Buffer | undefined;
  private held = 0;

  constructor(private readonly capacity: number) {}

  get isEmpty(): boolean {
    return this.held === 0;
  }

  /**
   * Consumes input from pos through the next LF and returns that line, or holds the bytes and
   * returns undefined if input ends first. The line, CRLF included, may take what is left of
   * kind.max after `used` bytes.
   */
  take(input: Buffer, pos: number, kind: LineKind, used = 0): Line | undefined {
    const lf = input.indexOf(LF, pos);
    const stop = lf < 0 ? input.length : lf + 1;
    const length = this.held + stop - pos;
    if (length > kind.max - used) throw invalid(kind.tooLong);
    if (lf < 0) {
      this.hold(input, pos, stop);
      return undefined;
    }
    let line = input.subarray(pos, stop);
    if (this.held > 0) {
      this.hold(input, pos, stop);
      line = this.store!.subarray(0, this.held);
      this.held = 0;
    }
    if (line.length < 2 || line[line.length - 2] !== CR) throw invalid(kind.noCrlf);
    return { text: line.toString('latin1', 0, line.length - 2), length, end: stop };
  }

  private hold(input: Buffer, from: number, to: number): void {
    this.store ??= Buffer.allocUnsafe(this.capacity);
    input.copy(this.store, this.held, from, to);
    this.held += to - from;
  }
}

function invalid(message: string): S3Error {
  return new S3Error('InvalidRequest', message);
}

function incomplete(message: string): S3Error {
  return new S3Error('IncompleteBody', message);
}
