/**
 * FAULTS_SAME_KEY_MS (2 minutes by default) of concurrent PUTs to the same few keys, with GETs in between, on
 * the pass's backend. Every read is a complete body of one of the writes, byte-exact by SHA-256, with its
 * ETag, and not one that a later acknowledged write had already replaced before the read began; the final
 * state of each key is a write no other acknowledged write followed. The store then holds nothing more than
 * those final objects (blob files on the embedded store, objects on AIS).
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { e2eBackend, storeFootprint } from '../support/backend';
import { startGateway } from '../support/gateway';
import { md5Hex } from '../support/objects';
import { blobsOf, bodyOf, putDescriptor, sha256Hex, sha256Of } from './support/bodies';
import { faultClients } from './support/mixed-stream';
import { envCount, faultsRandom, type Random } from './support/random';

const DURATION_MS = envCount('FAULTS_SAME_KEY_MS', 120_000);
const WRITERS = 4;
const READERS = 2;
const INLINE_MAX_BYTES = 64 * 1024;
const BUCKET = 'same-keys';
const KEYS = ['hot-0', 'hot-1', 'hot/2'];

interface Write {
  descriptor: string;
  start: number;
  /** When it was acknowledged; Infinity until then. */
  end: number;
}

/** Every write of one key, and which of them a read or the final state may show. */
class KeyHistory {
  readonly writes: Write[] = [];

  /**
   * A read that began at `start` and ended at `end` may show a write that began before it ended, unless
   * another write began after that one was acknowledged and was itself acknowledged before the read began.
   */
  allowed(start: number, end: number): Write[] {
    return this.writes.filter((write) => write.start < end && !this.writes.some((later) => later.start > write.end && later.end < start));
  }
}

describe('concurrent PUTs to the same keys, with reads in between', () => {
  it(`every read is a whole body of a write that may still be current, for ${DURATION_MS / 1000} s, and the last write stands`, async () => {
    const random = faultsRandom(`same-key-writes (${e2eBackend()})`);
    const gateway = await startGateway({ INLINE_MAX_BYTES: String(INLINE_MAX_BYTES) });
    const clients = faultClients(gateway.endpoint, WRITERS + READERS + 1);
    const s3 = clients[0];
    const histories = new Map(KEYS.map((key) => [key, new KeyHistory()]));
    const failures: string[] = [];
    let nextId = 1;
    let reads = 0;
    const clock = () => performance.now();

    const put = async (client: S3Client, key: string, size: number) => {
      const write: Write = { descriptor: putDescriptor({ id: nextId++, size }), start: clock(), end: Infinity };
      histories.get(key)?.writes.push(write);
      const output = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bodyOf(write.descriptor) }));
      write.end = clock();
      if (output.ETag !== `"${md5Hex(bodyOf(write.descriptor))}"`) failures.push(`PUT ${key} ${write.descriptor}: ETag ${output.ETag}`);
    };
    const read = async (client: S3Client, key: string): Promise<string | undefined> => {
      const start = clock();
      const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = Buffer.from(await (output.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      const hash = sha256Hex(bytes);
      const found = (histories.get(key) as KeyHistory).allowed(start, clock()).find((write) => sha256Of(write.descriptor) === hash);
      reads += 1;
      if (found === undefined) failures.push(`GET ${key}: ${bytes.length} bytes (SHA-256 ${hash}), not a write it may show`);
      else if (output.ETag !== `"${md5Hex(bytes)}"`) failures.push(`GET ${key}: ${found.descriptor} with ETag ${output.ETag}`);
      return found?.descriptor;
    };
    const size = (choices: Random) => (choices.chance(0.3) ? choices.int(INLINE_MAX_BYTES + 1, 1024 * 1024) : choices.int(0, INLINE_MAX_BYTES));
    const loop = async (work: () => Promise<void>) => {
      const until = clock() + DURATION_MS;
      while (clock() < until) await work().catch((err: Error) => failures.push(`${err.name}: ${err.message}`));
    };

    try {
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      for (const key of KEYS) await put(s3, key, size(random));
      await Promise.all([
        ...clients.slice(1, 1 + WRITERS).map((client) => {
          const choices = random.fork();
          return loop(() => put(client, choices.pick(KEYS), size(choices)));
        }),
        ...clients.slice(1 + WRITERS).map((client) => {
          const choices = random.fork();
          return loop(async () => void (await read(client, choices.pick(KEYS))));
        }),
      ]);
      expect(failures.slice(0, 20)).toEqual([]);

      const finals: string[] = [];
      for (const key of KEYS) {
        const history = histories.get(key) as KeyHistory;
        const final = await read(s3, key);
        expect(final).toBeDefined();
        finals.push(final as string);
        // Nothing acknowledged followed it.
        expect(history.writes.filter((write) => write.start > (history.writes.find((w) => w.descriptor === final) as Write).end)).toEqual([]);
      }
      const expected = e2eBackend() === 'embedded' ? finals.reduce((sum, final) => sum + blobsOf(final, INLINE_MAX_BYTES), 0) : KEYS.length;
      expect(await storeFootprint(gateway)).toBe(expected);
      const writes = [...histories.values()].reduce((sum, history) => sum + history.writes.length, 0);
      process.stdout.write(`[faults] same-key-writes (${e2eBackend()}): ${writes} PUTs and ${reads} GETs on ${KEYS.length} keys in ${DURATION_MS / 1000} s\n`);
    } finally {
      for (const client of clients) client.destroy();
      await gateway.stop();
    }
  });
});
