/**
 * kill -9 of the gateway (embedded store) under versioned writes: PUTs, DELETEs that write delete markers, and
 * deletes of versions by id, from several clients, in a bucket with versioning Enabled, FAULTS_VERSIONED_KILLS
 * times (30 by default). After every restart, every version and marker a client was told exists is listed by
 * ListObjectVersions, in the order the writes were acknowledged, and reads back byte-exact by its id; every
 * version removed by an acknowledged delete is gone; anything else listed is a write or marker that got no
 * answer; each key's latest read agrees with the listing; and the blob files are exactly those the listed
 * versions need.
 */
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { startGateway } from '../support/gateway';
import { killIfRunning, killMidStream } from './support/processes';
import { countBlobFiles } from '../support/data-dir';
import { listedVersions } from '../support/versions';
import { bodyOf, putDescriptor, sha256Hex, sha256Of } from './support/bodies';
import { suiteDataDir } from './support/crash-setup';
import { faultClients } from './support/mixed-stream';
import { envCount, faultsRandom, type Random } from './support/random';

const KILLS = envCount('FAULTS_VERSIONED_KILLS', 30);
const CLIENTS = 3;
const KEYS = ['v-0', 'v-1', 'v-2', 'v-3'];
/** Bodies up to 48 KiB against 16 KiB inline: versions are kept both ways. */
const INLINE_MAX_BYTES = 16 * 1024;
const MARKER = 'marker';

/** What the clients were told about one key's versions. */
interface KeyHistory {
  /** Versions and markers that exist (a write acknowledged them), by id, in the order they were acknowledged. */
  known: Array<{ id: string; body: string }>;
  /** Bodies (or MARKER) of writes that got no answer: each may have become a version, with an id no one was told. */
  unanswered: string[];
  /** Ids whose delete got no answer: each may be gone. */
  maybeGone: Set<string>;
  busy: boolean;
}

/** Status of an error answer, or undefined when there was no answer (the gateway was killed). */
function answered(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status >= 300;
}

class VersionedStream {
  readonly histories = new Map<string, KeyHistory>(KEYS.map((key) => [key, { known: [], unanswered: [], maybeGone: new Set(), busy: false }]));
  readonly counts = { acknowledged: 0, unanswered: 0 };
  private nextBody = 1;

  constructor(private readonly bucket: string) {}

  async run(clients: S3Client[], random: Random, stopping: () => boolean): Promise<void> {
    await Promise.all(clients.map((client) => this.client(client, random.fork(), stopping)));
  }

  private async client(s3: S3Client, random: Random, stopping: () => boolean): Promise<void> {
    while (!stopping()) {
      const key = random.pick(KEYS);
      const history = this.histories.get(key)!;
      if (history.busy) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      history.busy = true;
      try {
        const alive = await this.step(s3, random, key, history);
        if (!alive) return;
      } finally {
        history.busy = false;
      }
    }
  }

  /** One operation on `key`; false once the gateway stopped answering. */
  private async step(s3: S3Client, random: Random, key: string, history: KeyHistory): Promise<boolean> {
    const roll = random.next();
    const victim = history.known.length > 0 ? random.pick(history.known) : undefined;
    if (roll < 0.2 && victim !== undefined) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, VersionId: victim.id }));
        history.known = history.known.filter((entry) => entry !== victim);
        this.counts.acknowledged += 1;
        return true;
      } catch (err) {
        if (answered(err)) throw err;
        history.maybeGone.add(victim.id);
        this.counts.unanswered += 1;
        return false;
      }
    }
    const body = roll < 0.4 ? MARKER : putDescriptor({ id: this.nextBody++, size: random.int(1, 48 * 1024) });
    try {
      const id =
        body === MARKER
          ? (await s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))).VersionId
          : (await s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bodyOf(body) }))).VersionId;
      if (id === undefined) throw new Error(`${key}: a write in a versioning-enabled bucket answered no version id`);
      history.known.push({ id, body });
      this.counts.acknowledged += 1;
      return true;
    } catch (err) {
      if (answered(err)) throw err;
      history.unanswered.push(body);
      this.counts.unanswered += 1;
      return false;
    }
  }
}

/** Checks the store against what the clients were told, then takes what it holds as the truth from now on. */
async function verify(s3: S3Client, gateway: { origin: string; endpoint: string }, bucket: string, stream: VersionedStream, dataDir: string): Promise<void> {
  const listing = await listedVersions(gateway, bucket);
  let blobs = 0;
  for (const key of KEYS) {
    const history = stream.histories.get(key)!;
    const listed = listing.filter((entry) => entry.key === key);
    const listedIds = new Set(listed.map((entry) => entry.versionId));
    for (const { id } of history.known) {
      if (!listedIds.has(id) && !history.maybeGone.has(id)) throw new Error(`${key}: acknowledged version ${id} is lost`);
    }
    // Acknowledged versions keep the order they were acknowledged in (newest first in the listing).
    const knownIds = history.known.map((entry) => entry.id);
    const listedKnown = listed.filter((entry) => knownIds.includes(entry.versionId)).map((entry) => entry.versionId);
    expect(listedKnown).toEqual(knownIds.filter((id) => listedIds.has(id)).reverse());

    const truth: KeyHistory['known'] = [];
    const unanswered = [...history.unanswered];
    for (const entry of [...listed].reverse()) {
      const known = history.known.find((candidate) => candidate.id === entry.versionId);
      let body = known?.body;
      if (entry.marker) {
        if (body !== undefined && body !== MARKER) throw new Error(`${key}: version ${entry.versionId} was an object and is listed as a marker`);
        if (body === undefined) body = takeOne(unanswered, (candidate) => candidate === MARKER, `${key}: a delete marker no DELETE could have written`);
      } else {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: entry.versionId }));
        const hash = sha256Hex(await got.Body!.transformToByteArray());
        if (body === undefined)
          body = takeOne(unanswered, (candidate) => candidate !== MARKER && sha256Of(candidate) === hash, `${key}: a version no PUT wrote`);
        else if (sha256Of(body) !== hash) throw new Error(`${key}: version ${entry.versionId} reads back other bytes than were written`);
        if (bodyOf(body).length > INLINE_MAX_BYTES) blobs += 1;
      }
      truth.push({ id: entry.versionId, body });
    }
    const latest = listed[0];
    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then(
      async (answer) => sha256Hex(await answer.Body!.transformToByteArray()),
      (err: { $metadata?: { httpStatusCode?: number } }) => {
        if (err.$metadata?.httpStatusCode !== 404) throw err;
        return MARKER;
      },
    );
    const expected = latest === undefined || latest.marker ? MARKER : sha256Of(truth[truth.length - 1].body);
    if (read !== expected) throw new Error(`${key}: the latest read does not agree with the listing`);
    stream.histories.set(key, { known: truth, unanswered: [], maybeGone: new Set(), busy: false });
  }
  expect(countBlobFiles(dataDir)).toBe(blobs);
}

/** Removes and returns the first item matching `test`; throws `problem` if there is none. */
function takeOne(items: string[], test: (item: string) => boolean, problem: string): string {
  const at = items.findIndex(test);
  if (at < 0) throw new Error(problem);
  return items.splice(at, 1)[0];
}

describe('kill -9 of the embedded-store gateway under versioned writes and deletes', () => {
  const dataDir = suiteDataDir('ais-s3-faults-versioned-');

  it(`keeps every acknowledged version and marker, and nothing half-written, over ${KILLS} kills`, async () => {
    const random = faultsRandom('versioned-crash');
    const bucket = 'versioned';
    const stream = new VersionedStream(bucket);
    const env = { INLINE_MAX_BYTES: String(INLINE_MAX_BYTES) };
    for (let cycle = 0; cycle <= KILLS; cycle++) {
      const gateway = await startGateway(env, { dataDir });
      const [s3, ...clients] = faultClients(gateway.endpoint, CLIENTS + 1);
      try {
        if (cycle === 0) {
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
          await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
        }
        await verify(s3, gateway, bucket, stream, dataDir).catch((err: Error) => {
          throw new Error(`after kill ${cycle} (seed ${random.seed}): ${err.message}`);
        });
        if (cycle === KILLS) {
          await gateway.stop();
          break;
        }
        await killMidStream(gateway, random.int(20, 400), (stopping) => stream.run(clients, random, stopping));
      } finally {
        for (const client of [s3, ...clients]) client.destroy();
        killIfRunning(gateway);
      }
    }
    process.stdout.write(
      `[faults] versioned-crash: ${KILLS} kills survived, ${stream.counts.acknowledged} versioned requests acknowledged, ${stream.counts.unanswered} cut by a kill\n`,
    );
    expect(stream.counts.unanswered).toBeGreaterThan(0);
  });
});
