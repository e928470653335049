// What each scenario of test/clients/boto3_scenarios.py prints (one JSON document), as far as the tests read it.
// Keep in step with the Python: each interface is named after, and mirrors the dict returned by, its scenario.

/** A request as the scenario's Recorder saw it on the wire (after signing); only the headers that matter, lower-cased. */
export interface RecordedRequest {
  method: string;
  /** The path with its query string. */
  path: string;
  headers: Record<string, string>;
}

/** error_of(): the error a call ended in, or null when it succeeded. */
export type CallError = { code: string; status: number; request_id: string | null } | null;

export type ChecksumAlgorithm = 'CRC32' | 'SHA1' | 'SHA256';

/** listing_encoding: the fields of one list_objects(_v2) answer as boto3 hands them back (after its URL decoding). */
export interface ListingFields {
  Prefix: string | null;
  Delimiter: string | null;
  Marker: string | null;
  NextMarker: string | null;
  StartAfter: string | null;
  EncodingType: string | null;
  IsTruncated: boolean;
  keys: string[];
  prefixes: string[];
}

/** object_attributes: the fields of one get_object_attributes answer (absent ones null). */
export interface ObjectAttributesFields {
  ETag: string | null;
  Checksum: Partial<Record<'ChecksumCRC32' | 'ChecksumSHA256' | 'ChecksumType', string>> | null;
  ObjectParts: {
    TotalPartsCount?: number;
    PartNumberMarker?: number;
    NextPartNumberMarker?: number;
    MaxParts?: number;
    IsTruncated?: boolean;
    Parts?: Array<{ PartNumber: number; Size: number; ChecksumSHA256?: string }>;
  } | null;
  StorageClass: string | null;
  ObjectSize: number | null;
}

/** Each scenario's name and the JSON it prints. */
/** presigned_post: what generate_presigned_post returns, the URL to POST to and the form fields. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

export interface Boto3Scenarios {
  lifecycle: {
    missing: CallError;
    rules_put: unknown[];
    rules_got: unknown[];
    put_expiration: string | null;
    head_expiration: string | null;
    size: number;
    transition: CallError;
    no_action: CallError;
    unchanged: boolean;
    deleted: CallError;
  };
  object_lock: {
    versioning: string;
    configuration: unknown;
    head: Record<string, string>;
    retention: { Mode: string; RetainUntilDate: string };
    held: CallError;
    legal_hold: { Status: string };
    retained: CallError;
    shortened: CallError;
    suspended: CallError;
    bypassed: number;
    no_configuration: CallError;
    no_lock: CallError;
  };
  tagging: {
    at_put: Array<{ Key: string; Value: string }>;
    retagged: Array<{ Key: string; Value: string }>;
    count: number | null;
    copied: Array<{ Key: string; Value: string }>;
    refused: CallError;
    reserved: CallError;
    after_refusals: Array<{ Key: string; Value: string }>;
    deleted: Array<{ Key: string; Value: string }>;
    no_bucket_tags: CallError;
    bucket_tags: Array<{ Key: string; Value: string }>;
  };
  presigned_post: { s3v4: PresignedPost; sigv2: PresignedPost };
  put_get_metadata: {
    put_etag: string;
    get: {
      body: string;
      ETag: string;
      ContentLength: number;
      ContentType: string;
      CacheControl: string | null;
      ContentDisposition: string | null;
      Metadata: Record<string, string>;
      /** ISO 8601. */
      LastModified: string;
    };
    head_metadata: Record<string, string>;
    put_request: RecordedRequest;
  };
  list_buckets_pages: {
    pages: { names: string[]; regions: Array<string | null>; Prefix: string | null; has_token: boolean }[];
    /** The path and query of every ListBuckets request. */
    list_requests: string[];
  };
  paginate: {
    pages: { keys: string[]; KeyCount: number | null; IsTruncated: boolean; EncodingType: string | null }[];
    bodies_match: boolean;
    /** The path and query of every ListObjectsV2 request. */
    list_requests: string[];
  };
  copy: {
    source_etag: string;
    same: { ETag: string; ContentType: string; Metadata: Record<string, string> };
    other: { ETag: string; body: string; ContentType: string; Metadata: Record<string, string> };
    copy_source_headers: string[];
  };
  delete_objects: {
    deleted: string[];
    errors: unknown[];
    quiet_deleted: unknown[];
    quiet_errors: unknown[];
    remaining: string[];
    post_request: RecordedRequest;
  };
  head_missing: { head_object: CallError; get_object: CallError; head_bucket: CallError };
  fileobj: Record<'small.bin' | 'medium.bin', { sent: string; received: string; size: number }> & { put_requests: RecordedRequest[] };
  checksums: Record<ChecksumAlgorithm, { put: string | null; get: string | null; body: string; sent: string | null }>;
  ranged_download: { sha256: string; size: number; ranges: string[] };
  presigned: Record<'default' | 's3v4', { put_url: string; put_status: number; get_url: string; body: string }>;
  conditionals: { etag: string; if_none_match: CallError; if_match_other: CallError; if_match_same: string; range: string };
  empty_bucket: {
    versions: { key: string; id: string; latest: boolean; marker: boolean }[];
    deleted: { Key: string; VersionId?: string }[];
    errors: unknown[];
    buckets_after: string[];
    requests: { method: string; path: string }[];
  };
  virtual_hosted: { body: string; keys: string[]; requests: { method: string; host: string; path: string }[] };
  round_trip: { etag: string; listed: string[]; body: string; metadata: Record<string, string>; buckets_after: string[] };
  refused: Record<'list_buckets' | 'create_bucket' | 'put_object' | 'get_object' | 'delete_object', CallError>;
  not_owner: Record<'put_object' | 'get_object' | 'delete_object' | 'list_objects_v2' | 'copy_object', CallError> & { listed_buckets: string[] };
  acls: {
    owner: { ID: string; DisplayName: string };
    public_get: string;
    listed: string[];
    private_get: CallError;
    anonymous_put: CallError;
    now_public: string;
    object_grants: Array<{ Grantee: Record<string, string>; Permission: string }>;
    ownership: Array<{ ObjectOwnership: string }>;
    enforced_put: CallError;
  };
  bucket_policy: {
    malformed: CallError;
    reader_put_policy: CallError;
    /** GetBucketPolicy's Policy, as put. */
    policy: string;
    is_public: boolean;
    /** Each key's body as the reader got it, or the error code. */
    reads: Record<string, string>;
    reader_put: CallError;
    after_delete: CallError;
    reads_after_delete: Record<string, string>;
  };
  presign_urls: Record<'default' | 's3v4', { put: string; get: string }>;
  delete_odd_keys: { listed_before: string[]; deleted: string[]; errors: unknown[]; remaining: string[] };
  listing_encoding: Record<'v1_prefix' | 'v1_delimiter' | 'v1_paged' | 'v2_prefix' | 'v2_delimiter', ListingFields>;
  /** The metadata value as head_object and get_object returned it, its bytes read as UTF-8. */
  utf8_metadata: { head: string; get: string };
  content_encoding: { ContentEncoding: string | null; body_matches: boolean; put_request: RecordedRequest };
  object_attributes: {
    plain: ObjectAttributesFields;
    /** The plain object's CRC32 and each part's SHA256 and size, as Python computed them. */
    plain_crc32: string;
    part_sha256: string[];
    part_sizes: number[];
    /** The multipart object's answers, one part a page. */
    pages: ObjectAttributesFields[];
    missing: CallError;
    bad_attribute: CallError;
  };
  transfer_file: { etag: string; size: number; part_uploads: number; part_upload_threads: number; ranged_gets: number };
}
