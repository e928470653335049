import { compareUtf8 } from '../../s3/listing-rules';

/**
 * AIS's listing walks on the targets, kept between the pages of one S3 listing.
 *
 * Each AIS list call without a `uuid` starts a new walk of the bucket on every target, which reads the bucket's
 * directories from the start up to `start_after`: a page deep into a large bucket costs as much as reading the bucket
 * up to it (200,000 flat keys: 420 ms natively, against 30 ms for 10,000). A call that names the `uuid` AIS gave the
 * previous one and a `continuation_token` at or after that call's token goes on with the same walk, which keeps the
 * names it read past the page (AIS v1.5.0 `xact/xs/lso.go`, `nextPageA`: an earlier token starts the walk again).
 * Measured here: 9-22 ms a page instead of 90-190 ms in a 100,000-key bucket.
 *
 * A target keeps the names it walked in walk order and finds the token in them by binary search, which is right only
 * where that order agrees with byte order around the token: object-listing.ts (`walkGoesOnAfter`) says where.
 *
 * What the walk has read it does not read again, so a key written after the walk passed its place is not in the
 * walk's later pages. A session is therefore reused only while nothing was written to its bucket through this process
 * (`touch`), and for `maxAgeMs` at most from the walk's first page (writes by other processes: README). Reuse also
 * needs the same directory and the same page size: AIS v1.5.0 answered a continuation with another `pagesize` from
 * the walk's kept page, short and marked as the end.
 */
export interface ListingSession {
  /** AIS's id of the walk (its list call's `uuid`). */
  uuid: string;
  /** When the walk's first page was asked for. */
  startedAt: number;
  /** The bucket's write generation (`touch`) when the walk started. */
  generation: number;
  /**
   * The cursor of the walk's last call (its `start_after` or `continuation_token`). AIS answers a call whose token
   * equals the last one with the whole of what it kept and no token, as if the listing had ended (`doPage`, "repeated
   * request for same page"), so a walk goes on only with a cursor after this one.
   */
  cursor: string;
}

/** AIS_LIST_SESSION_MS's default: as long as a change through another replica takes to be seen elsewhere (README). */
export const LISTING_SESSION_MS = 5000;

/** Sessions kept at most (each is a few strings): the oldest go first. */
const MAX_SESSIONS = 4096;

/** Where a session continues: the bucket, the directory it walks, the page size it asks for, and the next page's cursor. */
export interface SessionPlace {
  bucket: string;
  directory: string;
  pageSize: number;
  /** The AIS name the next call goes on after (its `continuation_token`). */
  after: string;
}

function placeKey(place: SessionPlace): string {
  return `${place.bucket}\n${place.directory}\n${place.pageSize}\n${place.after}`;
}

export class ListingSessions {
  private readonly sessions = new Map<string, ListingSession>();
  private readonly generations = new Map<string, number>();

  constructor(
    /** 0: never reuse a walk (every page starts one). */
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.maxAgeMs > 0;
  }

  /** A write to `bucket` through this process: no walk started before it is reused. */
  touch(bucket: string): void {
    if (!this.enabled) return;
    this.generations.set(bucket, (this.generations.get(bucket) ?? 0) + 1);
  }

  /** The bucket's generation, to keep with a walk that starts now. */
  generationOf(bucket: string): number {
    return this.generations.get(bucket) ?? 0;
  }

  /** When a walk of `bucket` that starts now starts, and the bucket's generation then (taken before its first call). */
  startOf(bucket: string): Pick<ListingSession, 'startedAt' | 'generation'> {
    return { startedAt: this.now(), generation: this.generationOf(bucket) };
  }

  /** The walk that a call at `place` may go on with, taken (one caller continues a walk); undefined: start one. */
  take(place: SessionPlace): ListingSession | undefined {
    if (!this.enabled) return undefined;
    const key = placeKey(place);
    const session = this.sessions.get(key);
    if (session === undefined) return undefined;
    this.sessions.delete(key);
    if (session.generation !== this.generationOf(place.bucket) || this.now() - session.startedAt >= this.maxAgeMs) return undefined;
    return compareUtf8(place.after, session.cursor) > 0 ? session : undefined;
  }

  /** Keeps `session` for the call that goes on at `place` (the next page of the same listing). */
  keep(place: SessionPlace, session: ListingSession): void {
    if (!this.enabled || this.now() - session.startedAt >= this.maxAgeMs) return;
    const key = placeKey(place);
    this.sessions.delete(key);
    this.sessions.set(key, session);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }
}
