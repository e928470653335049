import { createHash } from 'node:crypto';

/**
 * Object bodies the fault tests write, each named by a short descriptor from which its bytes follow, so a
 * test can recompute the SHA-256 of anything it ever sent instead of keeping the bytes:
 *   `p:<id>:<size>`                    a PUT body: `size` bytes generated from `id`
 *   `m:<id>:<size>,<id>:<size>,...`    a multipart object: its parts' bodies, one after the other
 * A copy has its source's descriptor. `ABSENT` stands for "no object under this key".
 */
export const ABSENT = '-';

export interface Piece {
  id: number;
  size: number;
}

export function putDescriptor(piece: Piece): string {
  return `p:${piece.id}:${piece.size}`;
}

export function multipartDescriptor(parts: readonly Piece[]): string {
  return `m:${parts.map((part) => `${part.id}:${part.size}`).join(',')}`;
}

function piecesOf(descriptor: string): Piece[] {
  return descriptor
    .slice(2)
    .split(',')
    .map((piece) => {
      const [id, size] = piece.split(':').map(Number);
      return { id, size };
    });
}

/** The bytes of one piece: an xorshift32 stream seeded by its id (never 0: xorshift would stay at 0). */
export function pieceBytes(piece: Piece): Buffer {
  const words = new Uint32Array(Math.ceil(piece.size / 4));
  let state = (piece.id * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  return Buffer.from(words.buffer, 0, piece.size);
}

export function bodyOf(descriptor: string): Buffer {
  return Buffer.concat(piecesOf(descriptor).map(pieceBytes));
}

export function sizeOf(descriptor: string): number {
  return piecesOf(descriptor).reduce((sum, piece) => sum + piece.size, 0);
}

const hashes = new Map<string, string>();

/** Hex SHA-256 of a descriptor's body, computed once. */
export function sha256Of(descriptor: string): string {
  let hash = hashes.get(descriptor);
  if (hash === undefined) {
    hash = sha256Hex(bodyOf(descriptor));
    hashes.set(descriptor, hash);
  }
  return hash;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * How many blob files the embedded store keeps for an object with this body: a PUT body larger than
 * INLINE_MAX_BYTES has one, a smaller one is stored in its record; a multipart object has one per non-empty
 * part (its parts are never copied together). A copy has blobs of its own, hard links to the source's.
 */
export function blobsOf(descriptor: string, inlineMaxBytes: number): number {
  if (descriptor === ABSENT) return 0;
  const pieces = piecesOf(descriptor);
  if (descriptor.startsWith('p:')) return pieces[0].size > inlineMaxBytes ? 1 : 0;
  return pieces.filter((piece) => piece.size > 0).length;
}
