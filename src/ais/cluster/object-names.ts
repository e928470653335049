import { MAX_KEY_BYTES } from '../../s3/address';

/**
 * S3 keys as AIS object names (docs/ais-native-api.md section 6). AIS stores an object as a file named after
 * it, so it refuses or alters names S3 allows: empty (`a//b`, `/a`, `dir/`), `.` and `..` path segments, a
 * leading `~/`, path segments over 255 bytes (stored under a hashed file name that listing skips), names over
 * 3072 bytes; and control characters cannot pass its redirects (the proxy writes the name raw into the
 * `Location` header). A key with none of these keeps its name unchanged, so native AIS users and S3 clients
 * see the same objects. Every other key gets a reversible name:
 *
 * - A segment AIS cannot hold as it is (or one that ends the way an escaped segment ends) is written with
 *   its control characters and `^` in caret notation (`\x01` -> `^A`, `^` -> `^^`) followed by a mark: a space
 *   when it is the last segment, `.` U+10FFFF when a `/` follows. `dir/` -> `dir/ `, `a//b` -> `a/.\u{10FFFF}/b`,
 *   `./x` -> `..\u{10FFFF}/x`, `..` -> `.. `.
 * - The marks keep S3's listing order (UTF-8 bytes): a space is the smallest character a name can hold, so
 *   `dir/ ` lists where `dir/` would, before `dir/a`; `.` U+10FFFF sorts among siblings where the `/` it
 *   stands for would, after every `-` and `.` continuation and before `0` (`a/-` < `a//b` < `a/0`).
 * - A segment still longer than 255 bytes is cut, at character boundaries, into pieces of at most 251 bytes
 *   that each end with U+10FFFE (continued in the next path segment).
 * - A key whose escaped segments would make its name longer than AIS's 3072 bytes uses the one-byte mark
 *   (a space) for its later inner segments too; only keys with hundreds of empty or dot segments need it.
 *
 * A name is read back only if writing its key gives the same name again: an AIS object that a native user
 * named like an escaped segment (say with a trailing space) has no S3 key and is not listed.
 */

/** Ends an escaped last segment: the smallest character an AIS name can hold (control characters are escaped). */
const LAST_MARK = ' ';
/** Ends an escaped segment that a `/` follows: sorts where that `/` would among the segment's siblings. */
const INNER_MARK = '.\u{10FFFF}';
/** Ends a piece of a segment cut because AIS's file names hold at most 255 bytes. */
const CONTINUED = '\u{10FFFE}';
const CARET = '^';
// eslint-disable-next-line no-control-regex -- control characters are what this matches: AIS names cannot hold them raw
const CONTROL = /[\x00-\x1f\x7f]/;

/** AIS stores an object as a file: one path segment (a file or directory name) holds at most 255 bytes. */
const MAX_SEGMENT_BYTES = 255;
/** Content of a cut piece, leaving room for CONTINUED (4 bytes). */
const PIECE_BYTES = MAX_SEGMENT_BYTES - 4;
/** AIS stores a longer name under a hashed file name that its listing skips (v1.5.0 `fs/fntl.go`). */
export const MAX_NAME_BYTES = 3072;

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `\x01` -> `^A`, DEL -> `^?`, `^` -> `^^`: every character stays one or two bytes. */
function caretEscape(segment: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return segment.replace(/[\x00-\x1f\x7f^]/g, (char) => (char === CARET ? '^^' : CARET + String.fromCharCode(char.charCodeAt(0) ^ 0x40)));
}

/** The inverse of caretEscape, or undefined if `text` is not one of its results. */
function caretUnescape(text: string): string | undefined {
  let out = '';
  for (let at = 0; at < text.length; at += 1) {
    if (text[at] !== CARET) {
      out += text[at];
      continue;
    }
    const next = text[at + 1];
    if (next === undefined) return undefined;
    if (next === CARET) out += CARET;
    else if ((next >= '@' && next <= '_') || next === '?') out += String.fromCharCode(next.charCodeAt(0) ^ 0x40);
    else return undefined;
    at += 1;
  }
  return out;
}

/** Whether AIS cannot hold `segment` as it is, or it would read as an escaped or cut segment. */
function needsEscape(segment: string, first: boolean, last: boolean): boolean {
  return (
    segment === '' ||
    segment === '.' ||
    segment === '..' ||
    // AIS refuses names that start with `~/` (v1.5.0 cos.ValidateOname).
    (first && !last && segment === '~') ||
    segment.endsWith(LAST_MARK) ||
    segment.endsWith(INNER_MARK) ||
    segment.endsWith(CONTINUED) ||
    CONTROL.test(segment)
  );
}

/** Cuts a segment longer than 255 bytes into pieces; the last piece keeps at least 5 bytes (never `.` or `..`). */
function pieces(segment: string): string[] {
  const out: string[] = [];
  let rest = segment;
  while (byteLength(rest) > MAX_SEGMENT_BYTES) {
    const piece = utf8Head(rest, PIECE_BYTES);
    out.push(piece + CONTINUED);
    rest = rest.slice(piece.length);
  }
  out.push(rest);
  return out;
}

/** The longest start of `text` of at most `maxBytes` UTF-8 bytes that ends on a character boundary. */
function utf8Head(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Upper bound of the name bytes of any `keyBytes` more key bytes written with one-byte marks: at most two name
 * bytes per key byte (a caret escape, or an empty segment's mark with its `/`), one last mark, and 5 bytes per
 * cut piece.
 */
function worstRest(keyBytes: number): number {
  const escaped = 2 * keyBytes + 1;
  return escaped + 5 * Math.ceil(escaped / (PIECE_BYTES - 4));
}

/**
 * The AIS name of each `/`-separated segment of `key`, in order (a cut segment gives several path segments).
 * A segment's name depends only on the segments before it, so a key prefix ending with `/` maps to a name
 * prefix ending with `/`.
 */
function segmentNames(key: string): string[] {
  const segments = key.split('/');
  const names: string[] = [];
  let nameBytes = -1;
  let keyBytes = 0;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    keyBytes += byteLength(segment) + (last ? 0 : 1);
    let written = segment;
    if (needsEscape(segment, index === 0, last)) {
      const escaped = caretEscape(segment);
      written = escaped + LAST_MARK;
      if (!last) {
        const ordered = pieces(escaped + INNER_MARK).join('/');
        const fits = nameBytes + 1 + byteLength(ordered) + 1 + worstRest(Math.max(0, MAX_KEY_BYTES - keyBytes)) <= MAX_NAME_BYTES;
        if (fits) written = escaped + INNER_MARK;
      }
    }
    const name = pieces(written).join('/');
    names.push(name);
    nameBytes += 1 + byteLength(name);
  });
  return names;
}

/** The AIS object name that holds S3 key `key`. */
export function aisNameOf(key: string): string {
  return segmentNames(key).join('/');
}

/** The segment an escaped or plain segment name stands for, or undefined if no segment is written that way. */
function segmentOf(written: string): string | undefined {
  if (written.endsWith(INNER_MARK)) return caretUnescape(written.slice(0, -INNER_MARK.length));
  if (written.endsWith(LAST_MARK)) return caretUnescape(written.slice(0, -LAST_MARK.length));
  return written;
}

/** The S3 key an AIS object name holds, or undefined if the name is not one the gateway writes for any key. */
export function keyOfAisName(name: string): string | undefined {
  const segments: string[] = [];
  let continued = '';
  for (const part of name.split('/')) {
    if (part.endsWith(CONTINUED)) {
      continued += part.slice(0, -CONTINUED.length);
      continue;
    }
    const segment = segmentOf(continued + part);
    if (segment === undefined) return undefined;
    segments.push(segment);
    continued = '';
  }
  if (continued !== '') return undefined;
  const key = segments.join('/');
  return aisNameOf(key) === name ? key : undefined;
}

/** Where the AIS names of the keys that start with an S3 prefix are. */
export interface NamePrefix {
  /** The AIS directory to list: the name of the prefix up to its last `/` (or `''`). */
  directory: string;
  /** Every such key's name starts with this (it starts with `directory`). */
  start: string;
}

/**
 * The AIS names of the keys starting with `prefix`. The part after the prefix's last `/` is the start of a
 * segment that may still be escaped (a control character or `^` in it) or cut (past 247 bytes), so only the
 * part that every such segment's name starts with is kept.
 */
export function namePrefixOf(prefix: string): NamePrefix {
  const cut = prefix.lastIndexOf('/') + 1;
  const directory =
    cut === 0
      ? ''
      : `${segmentNames(`${prefix.slice(0, cut)}x`)
          .slice(0, -1)
          .join('/')}/`;
  const partial = prefix.slice(cut);
  let common = CONTROL.test(partial) ? caretEscape(partial) : partial.slice(0, partial.includes(CARET) ? partial.indexOf(CARET) : partial.length);
  // A cut segment's first piece holds at least PIECE_BYTES - 3 bytes of it (a character is at most 4 bytes).
  common = utf8Head(common, PIECE_BYTES - 4);
  return { directory, start: directory + common };
}

/**
 * Why AIS cannot hold `name` as an object name, or undefined when it can (docs/ais-native-api.md section 6).
 * Every name aisNameOf writes passes.
 */
export function unstorableReason(name: string): string | undefined {
  const segments = name.split('/');
  if (name === '') return 'it is empty';
  if (name.endsWith('/')) return 'it ends with "/" (AIS object names cannot be directory markers)';
  if (name.startsWith('/')) return 'it starts with "/" (AIS would drop the empty segment)';
  if (name.includes('//')) return 'it contains "//" (AIS would collapse it to "/")';
  if (name.startsWith('~/')) return 'it starts with "~/" (AIS refuses it)';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'it has a "." or ".." path segment (AIS refuses them)';
  if (CONTROL.test(name)) return 'it has a control character (AIS redirects would carry it raw in a header)';
  if (segments.some((segment) => byteLength(segment) > MAX_SEGMENT_BYTES)) {
    return `a "/"-separated segment is longer than ${MAX_SEGMENT_BYTES} bytes (AIS could not list it)`;
  }
  if (byteLength(name) > MAX_NAME_BYTES) return `it is longer than ${MAX_NAME_BYTES} bytes (AIS could not list it)`;
  return undefined;
}

/** `/v1/objects/<bucket>/<name>` for the AIS object holding `key`, each name segment percent-encoded (AIS decodes the path once). */
export function objectPath(bucket: string, key: string): string {
  return `/v1/objects/${encodeURIComponent(bucket)}/${aisNameOf(key).split('/').map(encodeURIComponent).join('/')}`;
}

export function bucketPath(bucket: string): string {
  return `/v1/buckets/${encodeURIComponent(bucket)}`;
}
