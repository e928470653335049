import { randomBytes } from 'node:crypto';

// A per-process random prefix and a counter: unique across replicas and cheap on the hot path.
const processPrefix = randomBytes(4).toString('hex').toUpperCase();
let counter = 0;

/** A 16-character id in the style of S3's `x-amz-request-id`. */
export function newRequestId(): string {
  counter = (counter + 1) % 0x100000000;
  return processPrefix + counter.toString(16).toUpperCase().padStart(8, '0');
}
