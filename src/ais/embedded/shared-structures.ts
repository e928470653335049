import type { Database } from 'lmdb';

/**
 * msgpackr shared structures for the hot record databases (`objects`, `versions`): their records name a structure
 * (the list of property names) kept once under STRUCTURES_KEY instead of carrying it, so a read does not compile
 * it again (docs/performance.md, "Embedded records"). lmdb saves a new structure with a put inside the write
 * transaction that first uses it; when that transaction fails to commit (a full disk), msgpackr still holds the
 * structure in memory, and later records of that shape would name a structure the database lacks: unreadable
 * after a restart and by the other worker. SharedStructures closes that gap (`verify`, `settle`).
 */

/**
 * Where the structures live in each database: the single byte 0xFF sorts after every index key (bucket names and
 * keys are UTF-8, which never contains 0xFF), so every range the store reads (always within one bucket) leaves it out.
 */
export const STRUCTURES_KEY = Buffer.from([0xff]);

/**
 * lmdb's openDB options for a database with shared structures. msgpackr shares at most `maxSharedStructures`
 * (an object shape with user-metadata keys takes one too); later shapes carry their own definitions, as every
 * record did before. The number can grow in a later version but never shrink: msgpackr refuses to write to a
 * database holding more.
 */
export const SHARED_STRUCTURES = { sharedStructuresKey: STRUCTURES_KEY, maxSharedStructures: 100 } as const;

/** The parts of msgpackr's Packr that lmdb keeps as a database's encoder (and decoder). */
interface StructureTable extends Array<readonly string[] | undefined> {
  sharedLength?: number;
  uninitialized?: boolean;
}
interface RecordEncoder {
  structures: StructureTable;
  decode(bytes: Buffer): unknown;
}

function encoderOf(db: Database<unknown, Buffer>): RecordEncoder {
  return (db as unknown as { encoder: RecordEncoder }).encoder;
}

function sharedLengthOf(encoder: RecordEncoder): number {
  return encoder.structures.sharedLength ?? 0;
}

export class SharedStructures {
  /** Per database: how many of the structures in memory are known to be committed. */
  private readonly durable: number[];

  constructor(private readonly dbs: Database<unknown, Buffer>[]) {
    this.durable = dbs.map(() => 0);
  }

  /**
   * Inside a write transaction, before it reads or writes a record: the structures in memory must all be in the
   * transaction's view of the database, so every record it writes names only structures committed with it (or
   * before). Structures known committed are not read again; others are compared with the stored ones, and on any
   * difference (a failed commit left one behind) msgpackr's table is reloaded from the database.
   */
  verify(): void {
    this.dbs.forEach((db, index) => {
      const encoder = encoderOf(db);
      if (sharedLengthOf(encoder) <= this.durable[index]) return;
      if (!holds(db, encoder)) reload(encoder);
    });
  }

  /**
   * Inside the transaction, at its end: what `committed` is told once it has committed. Structures not known
   * committed (added by this transaction, or read in it) are dropped from memory and read again when needed: from
   * a read snapshot they come only once committed, so between transactions msgpackr never holds a structure the
   * database may lack, and no read can decode another process's record with one (at most 100 times a database,
   * as structures are added).
   */
  settle(): number[] {
    return this.dbs.map((db, index) => {
      const encoder = encoderOf(db);
      const length = sharedLengthOf(encoder);
      if (length > this.durable[index]) reload(encoder);
      return length;
    });
  }

  /** The transaction that ended with these `settle()` lengths committed: its structures are stored. */
  committed(lengths: number[]): void {
    lengths.forEach((length, index) => {
      if (length > this.durable[index]) this.durable[index] = length;
    });
  }

  /** A commit failed: structures it added are only in memory; reload every table before anything reads it. */
  commitFailed(): void {
    for (const db of this.dbs) reload(encoderOf(db));
  }
}

/** Whether the database (in the current transaction's view) holds every structure msgpackr has in memory. */
function holds(db: Database<unknown, Buffer>, encoder: RecordEncoder): boolean {
  const bytes = db.getBinary(STRUCTURES_KEY);
  const stored = bytes === undefined ? [] : (encoder.decode(bytes) as (readonly string[] | undefined)[]);
  const length = sharedLengthOf(encoder);
  if (stored.length < length) return false;
  for (let id = 0; id < length; id += 1) {
    const kept = encoder.structures[id];
    const saved = stored[id];
    if (kept === undefined || saved === undefined) {
      if (kept !== saved) return false;
      continue;
    }
    if (kept.length !== saved.length || kept.some((name, at) => name !== saved[at])) return false;
  }
  return true;
}

/** Makes msgpackr load the table from the database at its next encode or at the first record it cannot name. */
function reload(encoder: RecordEncoder): void {
  encoder.structures = Object.assign([], { uninitialized: true, sharedLength: 0 });
}
