import { S3Error } from '../../s3/errors';
import type {
  AisClient,
  BackendStatus,
  BucketInfo,
  CompleteRequest,
  CopyRequest,
  DeleteResult,
  IncomingBody,
  ListObjectsPage,
  ListObjectsRequest,
  ListPartsPage,
  ListPartsRequest,
  ListUploadsPage,
  ListUploadsRequest,
  MultipartChecksum,
  MultipartUpload,
  ObjectAttributes,
  ObjectInfo,
  ObjectRead,
  PartInfo,
  ReadPlanner,
  VersioningStatus,
} from '../ais-client';
import { AisHttp, AisHttpOptions } from './ais-http';
import { AisBuckets } from './buckets';
import { AisCluster } from './cluster';
import { assemblePage } from './listing';
import { aisListFetch } from './object-listing';
import { AisObjects } from './objects';

function notYet(operation: string): never {
  throw new S3Error('NotImplemented', `${operation} is not yet on the AIS backend`);
}

/**
 * The AIS client over a real AIStore cluster's native REST API (SPEC.md section 5): buckets are ordinary
 * `ais://` buckets, objects are streamed to and from the target that owns them, and AIS's answers are
 * turned into S3's where the two differ (docs/ais-native-api.md).
 */
export class AisHttpClient implements AisClient {
  private readonly http: AisHttp;
  private readonly cluster: AisCluster;
  private readonly buckets: AisBuckets;
  private readonly objects: AisObjects;

  constructor(options: AisHttpOptions) {
    this.http = new AisHttp(options);
    this.cluster = new AisCluster(this.http);
    this.buckets = new AisBuckets(this.http, this.cluster);
    this.objects = new AisObjects(this.http);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  async status(): Promise<BackendStatus> {
    return { backend: 'ais', problem: await this.cluster.problem() };
  }

  listBuckets(): Promise<BucketInfo[]> {
    return this.buckets.list();
  }

  createBucket(bucket: string): Promise<void> {
    return this.buckets.create(bucket);
  }

  deleteBucket(bucket: string): Promise<void> {
    return this.buckets.delete(bucket);
  }

  headBucket(bucket: string): Promise<BucketInfo> {
    return this.buckets.head(bucket);
  }

  putBucketVersioning(bucket: string, status: VersioningStatus): Promise<void> {
    return this.buckets.setVersioning(bucket, status);
  }

  putObject(bucket: string, key: string, attributes: ObjectAttributes, body: IncomingBody): Promise<ObjectInfo> {
    return this.objects.put(bucket, key, attributes, body);
  }

  headObject(bucket: string, key: string, versionId?: string): Promise<ObjectInfo> {
    return this.objects.head(bucket, key, versionId);
  }

  getObject(bucket: string, key: string, versionId: string | undefined, plan: ReadPlanner): Promise<ObjectRead> {
    return this.objects.get(bucket, key, versionId, plan);
  }

  deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteResult> {
    return this.objects.delete(bucket, key, versionId);
  }

  copyObject(request: CopyRequest): Promise<ObjectInfo> {
    return this.objects.copy(request, async (bucket) => {
      await this.buckets.head(bucket);
    });
  }

  async listObjects(bucket: string, request: ListObjectsRequest): Promise<ListObjectsPage> {
    const page = await assemblePage(request, aisListFetch(this.http, bucket, request.prefix));
    // With no storage target AIS lists every bucket as empty (200, "entries": null): that is an outage.
    if (page.objects.length === 0 && page.commonPrefixes.length === 0) await this.cluster.requireTargets();
    return page;
  }

  createMultipartUpload(_bucket: string, _key: string, _attributes: ObjectAttributes, _checksum?: MultipartChecksum): Promise<MultipartUpload> {
    notYet('CreateMultipartUpload');
  }

  uploadPart(): Promise<PartInfo> {
    notYet('UploadPart');
  }

  completeMultipartUpload(_bucket: string, _key: string, _uploadId: string, _request: CompleteRequest): Promise<ObjectInfo> {
    notYet('CompleteMultipartUpload');
  }

  abortMultipartUpload(): Promise<void> {
    notYet('AbortMultipartUpload');
  }

  listParts(_bucket: string, _key: string, _uploadId: string, _request: ListPartsRequest): Promise<ListPartsPage> {
    notYet('ListParts');
  }

  listMultipartUploads(_bucket: string, _request: ListUploadsRequest): Promise<ListUploadsPage> {
    notYet('ListMultipartUploads');
  }
}
