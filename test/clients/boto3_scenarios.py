#!/usr/bin/env python3
"""boto3 scenarios for test/clients-boto3.e2e.ts, test/clients-addressing.e2e.ts, test/auth-verify-clients.e2e.ts
and test/multipart-clients.e2e.ts.

Usage: python3 boto3_scenarios.py SCENARIO < params.json

Each scenario drives an unmodified boto3 client against the gateway named in the params (`endpoint`),
and prints one JSON document on stdout: what the client got back, plus the requests it sent (method,
path and query, and the headers that matter for compatibility). The jest test makes the assertions.
Credentials and region come from the environment the test sets up.
"""
import base64
import hashlib
import io
import json
import socket
import sys
import threading
import urllib.request
import zlib

import boto3
import botocore
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

INTERESTING_HEADERS = (
    'content-md5', 'content-encoding', 'content-length', 'transfer-encoding', 'expect', 'x-amz-content-sha256',
    'x-amz-decoded-content-length', 'x-amz-trailer', 'x-amz-sdk-checksum-algorithm', 'x-amz-checksum-crc32',
    'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256',
    'x-amz-checksum-mode', 'x-amz-copy-source', 'x-amz-metadata-directive', 'range', 'if-none-match', 'host',
)


class Recorder:
    """Keeps what each request looked like on the wire (after signing)."""

    def __init__(self):
        self.requests = []

    def attach(self, client):
        client.meta.events.register('before-send', self._record)

    def _record(self, request, **_):
        url = request.url
        path = url.split('://', 1)[1]
        host, _, rest = path.partition('/')
        headers = {}
        for name, value in request.headers.items():
            if name.lower() in INTERESTING_HEADERS:
                headers[name.lower()] = value.decode() if isinstance(value, bytes) else str(value)
        headers.setdefault('host', host)
        self.requests.append({'method': request.method, 'path': '/' + rest, 'headers': headers})

    def of(self, method, contains=''):
        return [entry for entry in self.requests if entry['method'] == method and contains in entry['path']]


def make_client(params, recorder=None, **config):
    client = boto3.client(
        's3',
        endpoint_url=params['endpoint'],
        region_name='us-east-1',
        config=Config(retries={'max_attempts': 1, 'mode': 'standard'}, **config),
    )
    if recorder is not None:
        recorder.attach(client)
    return client


def error_of(call):
    try:
        call()
    except ClientError as err:
        return {
            'code': err.response['Error'].get('Code'),
            'status': err.response['ResponseMetadata']['HTTPStatusCode'],
            'request_id': err.response['ResponseMetadata'].get('RequestId'),
        }
    return None


def pattern(size, seed):
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f'{seed}:{counter}'.encode()).digest()
        counter += 1
    return bytes(out[:size])


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def put_get_metadata(params):
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    put = s3.put_object(
        Bucket=bucket, Key='docs/hello.txt', Body=b'hello boto3',
        ContentType='text/plain; charset=utf-8', CacheControl='max-age=60',
        ContentDisposition='attachment; filename="hello.txt"',
        Metadata={'author': 'boto3', 'Mixed-Case': 'Value with spaces'},
    )
    got = s3.get_object(Bucket=bucket, Key='docs/hello.txt')
    head = s3.head_object(Bucket=bucket, Key='docs/hello.txt')
    return {
        'put_etag': put['ETag'],
        'get': {
            'body': got['Body'].read().decode(),
            'ETag': got['ETag'],
            'ContentLength': got['ContentLength'],
            'ContentType': got['ContentType'],
            'CacheControl': got.get('CacheControl'),
            'ContentDisposition': got.get('ContentDisposition'),
            'Metadata': got['Metadata'],
            'LastModified': got['LastModified'].isoformat(),
        },
        'head_metadata': head['Metadata'],
        'put_request': rec.of('PUT', '/docs/hello.txt')[0],
    }


def paginate(params):
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    for key in params['keys']:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode('utf-8'))
    pages = []
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, PaginationConfig={'PageSize': 7}):
        pages.append({
            'keys': [entry['Key'] for entry in page.get('Contents', [])],
            'KeyCount': page.get('KeyCount'),
            'IsTruncated': page['IsTruncated'],
            'EncodingType': page.get('EncodingType'),
        })
    bodies_match = all(
        s3.get_object(Bucket=bucket, Key=key)['Body'].read() == key.encode('utf-8') for key in params['keys']
    )
    return {
        'pages': pages,
        'bodies_match': bodies_match,
        'list_requests': [entry['path'] for entry in rec.of('GET', 'list-type=2')],
    }


def copy(params):
    rec = Recorder()
    s3 = make_client(params, rec)
    src, dst = params['bucket'], params['bucket'] + '-dst'
    s3.create_bucket(Bucket=src)
    s3.create_bucket(Bucket=dst)
    key = 'source dir/ü+1.txt'
    put = s3.put_object(Bucket=src, Key=key, Body=b'copy me', ContentType='text/x-source', Metadata={'a': '1'})
    same = s3.copy_object(Bucket=src, Key='copies/same.txt', CopySource={'Bucket': src, 'Key': key})
    other = s3.copy_object(
        Bucket=dst, Key='replaced.txt', CopySource={'Bucket': src, 'Key': key},
        MetadataDirective='REPLACE', Metadata={'b': '2'}, ContentType='text/x-replaced',
    )
    head_same = s3.head_object(Bucket=src, Key='copies/same.txt')
    got_other = s3.get_object(Bucket=dst, Key='replaced.txt')
    return {
        'source_etag': put['ETag'],
        'same': {'ETag': same['CopyObjectResult']['ETag'], 'ContentType': head_same['ContentType'], 'Metadata': head_same['Metadata']},
        'other': {
            'ETag': other['CopyObjectResult']['ETag'],
            'body': got_other['Body'].read().decode(),
            'ContentType': got_other['ContentType'],
            'Metadata': got_other['Metadata'],
        },
        'copy_source_headers': [entry['headers'].get('x-amz-copy-source') for entry in rec.requests if 'x-amz-copy-source' in entry['headers']],
    }


def delete_objects(params):
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    for key in ('x', 'y', 'z', 'quiet'):
        s3.put_object(Bucket=bucket, Key=key, Body=b'.')
    result = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': 'x'}, {'Key': 'y'}, {'Key': 'missing'}]})
    quiet = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': 'quiet'}], 'Quiet': True})
    remaining = [entry['Key'] for entry in s3.list_objects_v2(Bucket=bucket).get('Contents', [])]
    return {
        'deleted': sorted(entry['Key'] for entry in result.get('Deleted', [])),
        'errors': result.get('Errors', []),
        'quiet_deleted': quiet.get('Deleted', []),
        'quiet_errors': quiet.get('Errors', []),
        'remaining': remaining,
        'post_request': rec.of('POST', 'delete')[0],
    }


def head_missing(params):
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    return {
        'head_object': error_of(lambda: s3.head_object(Bucket=bucket, Key='no/such/key')),
        'get_object': error_of(lambda: s3.get_object(Bucket=bucket, Key='no/such/key')),
        'head_bucket': error_of(lambda: s3.head_bucket(Bucket=bucket + '-absent')),
    }


def fileobj(params):
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    out = {}
    for name, size in (('small.bin', 1000), ('medium.bin', 300 * 1024)):
        data = pattern(size, name)
        s3.upload_fileobj(io.BytesIO(data), bucket, name)
        sink = io.BytesIO()
        s3.download_fileobj(bucket, name, sink)
        out[name] = {'sent': sha256(data), 'received': sha256(sink.getvalue()), 'size': len(sink.getvalue())}
    out['put_requests'] = rec.of('PUT', '.bin')
    return out


def checksums(params):
    """Flexible checksums boto3 can compute without the CRT: sent as headers, read back with ChecksumMode=ENABLED
    (botocore then validates the body against the returned checksum itself)."""
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    out = {}
    for algorithm in ('CRC32', 'SHA1', 'SHA256'):
        key = 'checked-' + algorithm
        put = s3.put_object(Bucket=bucket, Key=key, Body=b'checksummed body', ChecksumAlgorithm=algorithm)
        got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode='ENABLED')
        out[algorithm] = {
            'put': put.get('Checksum' + algorithm),
            'get': got.get('Checksum' + algorithm),
            'body': got['Body'].read().decode(),
            'sent': rec.of('PUT', '/' + key)[0]['headers'].get('x-amz-checksum-' + algorithm.lower()),
        }
    return out


def object_attributes(params):
    """get_object_attributes of a plain object and of a multipart object uploaded with SHA256 part checksums (two
    parts, paged one at a time), of a missing key, and with an attribute name S3 does not define."""
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    everything = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']
    s3.put_object(Bucket=bucket, Key='plain', Body=b'plain attributes', ChecksumAlgorithm='CRC32')
    plain = s3.get_object_attributes(Bucket=bucket, Key='plain', ObjectAttributes=everything)
    bodies = [pattern(5 * 1024 * 1024, 'first'), pattern(1234, 'second')]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key='parts', ChecksumAlgorithm='SHA256')['UploadId']
    parts = []
    for number, body in enumerate(bodies, start=1):
        answer = s3.upload_part(Bucket=bucket, Key='parts', UploadId=upload_id, PartNumber=number, Body=body, ChecksumAlgorithm='SHA256')
        parts.append({'PartNumber': number, 'ETag': answer['ETag'], 'ChecksumSHA256': answer['ChecksumSHA256']})
    s3.complete_multipart_upload(Bucket=bucket, Key='parts', UploadId=upload_id, MultipartUpload={'Parts': parts})
    pages = []
    marker = 0
    while True:
        page = s3.get_object_attributes(Bucket=bucket, Key='parts', ObjectAttributes=everything, MaxParts=1, PartNumberMarker=marker)
        pages.append({name: page.get(name) for name in ('ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize')})
        if not page['ObjectParts']['IsTruncated']:
            break
        marker = int(page['ObjectParts']['NextPartNumberMarker'])
    return {
        'plain': {name: plain.get(name) for name in ('ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize')},
        'plain_crc32': base64.b64encode(zlib.crc32(b'plain attributes').to_bytes(4, 'big')).decode(),
        'part_sha256': [base64.b64encode(hashlib.sha256(body).digest()).decode() for body in bodies],
        'part_sizes': [len(body) for body in bodies],
        'pages': pages,
        'missing': error_of(lambda: s3.get_object_attributes(Bucket=bucket, Key='missing', ObjectAttributes=['ETag'])),
        'bad_attribute': error_of(lambda: s3.get_object_attributes(Bucket=bucket, Key='plain', ObjectAttributes=['ETag', 'Colour'])),
    }


def ranged_download(params):
    """download_fileobj of an object above boto3's 8 MiB multipart threshold: concurrent ranged GETs."""
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket, key = params['bucket'], params['key']
    sink = io.BytesIO()
    s3.download_fileobj(bucket, key, sink)
    return {
        'sha256': sha256(sink.getvalue()),
        'size': len(sink.getvalue()),
        'ranges': sorted(entry['headers']['range'] for entry in rec.requests if 'range' in entry['headers']),
    }


def presigned(params):
    """generate_presigned_url with boto3's default (SigV2 query parameters for S3) and with signature_version s3v4."""
    out = {}
    for label, config in (('default', {}), ('s3v4', {'signature_version': 's3v4'})):
        s3 = make_client(params, **config)
        bucket = params['bucket']
        if label == 'default':
            s3.create_bucket(Bucket=bucket)
        key = f'presigned/{label} key.txt'
        put_url = s3.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': key}, ExpiresIn=300)
        put = urllib.request.urlopen(urllib.request.Request(put_url, data=f'via {label} url'.encode(), method='PUT'))
        get_url = s3.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': key}, ExpiresIn=300)
        body = urllib.request.urlopen(get_url).read().decode()
        out[label] = {'put_url': put_url, 'put_status': put.status, 'get_url': get_url, 'body': body}
    return out


def presigned_post(params):
    """generate_presigned_post as boto3 makes it: SigV4 (its default) and the legacy SigV2 signer ('s3')."""
    out = {}
    for label, config in (('s3v4', {'signature_version': 's3v4'}), ('sigv2', {'signature_version': 's3'})):
        s3 = make_client(params, **config)
        post = s3.generate_presigned_post(
            Bucket=params['bucket'],
            Key=params['key'],
            Fields=params.get('fields'),
            Conditions=params.get('conditions'),
            ExpiresIn=params.get('expires', 300),
        )
        out[label] = {'url': post['url'], 'fields': post['fields']}
    return out


def conditionals(params):
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    etag = s3.put_object(Bucket=bucket, Key='k', Body=b'conditional')['ETag']
    return {
        'etag': etag,
        'if_none_match': error_of(lambda: s3.get_object(Bucket=bucket, Key='k', IfNoneMatch=etag)),
        'if_match_other': error_of(lambda: s3.get_object(Bucket=bucket, Key='k', IfMatch='"0123456789abcdef0123456789abcdef"')),
        'if_match_same': s3.get_object(Bucket=bucket, Key='k', IfMatch=etag)['Body'].read().decode(),
        'range': s3.get_object(Bucket=bucket, Key='k', Range='bytes=-4')['Body'].read().decode(),
    }


def list_buckets_pages(params):
    rec = Recorder()
    s3 = make_client(params, rec)
    for name in params['buckets']:
        s3.create_bucket(Bucket=name)
    paginator = s3.get_paginator('list_buckets')
    pages = [
        {
            'names': [bucket['Name'] for bucket in page.get('Buckets', [])],
            'regions': [bucket.get('BucketRegion') for bucket in page.get('Buckets', [])],
            'Prefix': page.get('Prefix'),
            'has_token': 'ContinuationToken' in page,
        }
        for page in paginator.paginate(Prefix=params['prefix'], PaginationConfig={'PageSize': params['page_size']})
    ]
    return {'pages': pages, 'list_requests': [entry['path'] for entry in rec.of('GET', 'max-buckets=')]}


def empty_bucket(params):
    rec = Recorder()
    s3r = boto3.resource(
        's3', endpoint_url=params['endpoint'], region_name='us-east-1',
        config=Config(retries={'max_attempts': 1, 'mode': 'standard'}),
    )
    rec.attach(s3r.meta.client)
    name = params['bucket']
    bucket = s3r.create_bucket(Bucket=name)
    bucket.put_object(Key='before/1', Body=b'1')
    bucket.put_object(Key='before/2', Body=b'2')
    bucket.Versioning().enable()
    bucket.put_object(Key='after/1', Body=b'3')
    bucket.put_object(Key='after/1', Body=b'4')
    bucket.put_object(Key='after/2', Body=b'5')
    bucket.Object('before/2').delete()
    # The collection holds versions and delete markers (a marker has no size).
    versions = [
        {'key': v.object_key, 'id': v.id, 'latest': v.is_latest, 'marker': v.size is None}
        for v in bucket.object_versions.all()
    ]
    responses = bucket.object_versions.delete()
    deleted = [entry for response in responses for entry in response.get('Deleted', [])]
    errors = [entry for response in responses for entry in response.get('Errors', [])]
    bucket.delete()
    remaining = [b['Name'] for b in s3r.meta.client.list_buckets()['Buckets']]
    return {
        'versions': versions,
        'deleted': deleted,
        'errors': errors,
        'buckets_after': remaining,
        'requests': [{'method': entry['method'], 'path': entry['path']} for entry in rec.requests],
    }


def virtual_hosted(params):
    """addressing_style=virtual against BUCKET.<domain>: the names resolve to 127.0.0.1 inside this process only."""
    domain = params['domain']
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if host == domain or host.endswith('.' + domain):
            host = '127.0.0.1'
        if host not in ('127.0.0.1', 'localhost'):
            raise OSError(f'this test may only talk to 127.0.0.1, not {host}')
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = loopback_only
    rec = Recorder()
    s3 = make_client(params, rec, s3={'addressing_style': 'virtual'})
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key='dir/hello world.txt', Body=b'virtually hosted')
    got = s3.get_object(Bucket=bucket, Key='dir/hello world.txt')['Body'].read().decode()
    listed = [entry['Key'] for entry in s3.list_objects_v2(Bucket=bucket).get('Contents', [])]
    return {
        'body': got,
        'keys': listed,
        'requests': [{'method': e['method'], 'host': e['headers']['host'], 'path': e['path']} for e in rec.requests],
    }


def round_trip(params):
    """A short session: create a bucket, put an object with metadata, list, get, delete it, delete the bucket."""
    s3 = make_client(params)
    bucket, key = params['bucket'], params['key']
    s3.create_bucket(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key=key, Body=b'boto3 round trip', Metadata={'via': 'boto3'})
    listed = [entry['Key'] for entry in s3.list_objects_v2(Bucket=bucket).get('Contents', [])]
    got = s3.get_object(Bucket=bucket, Key=key)
    body = got['Body'].read().decode()
    s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)
    return {
        'etag': put['ETag'],
        'listed': listed,
        'body': body,
        'metadata': got['Metadata'],
        'buckets_after': [entry['Name'] for entry in s3.list_buckets()['Buckets']],
    }


def refused(params):
    """Calls the gateway must refuse (credentials it does not accept): the error each one ends in."""
    s3 = make_client(params)
    bucket, key = params['bucket'], params['key']
    return {
        'list_buckets': error_of(lambda: s3.list_buckets()),
        'create_bucket': error_of(lambda: s3.create_bucket(Bucket=params['new_bucket'])),
        'put_object': error_of(lambda: s3.put_object(Bucket=bucket, Key=key, Body=b'never stored')),
        'get_object': error_of(lambda: s3.get_object(Bucket=bucket, Key=key)),
        'delete_object': error_of(lambda: s3.delete_object(Bucket=bucket, Key=key)),
    }


def not_owner(params):
    """A valid key that does not own the bucket (access control): the error each call ends in, and its bucket list."""
    s3 = make_client(params)
    bucket, key = params['bucket'], params['key']
    return {
        'put_object': error_of(lambda: s3.put_object(Bucket=bucket, Key=key, Body=b'never stored')),
        'get_object': error_of(lambda: s3.get_object(Bucket=bucket, Key=key)),
        'delete_object': error_of(lambda: s3.delete_object(Bucket=bucket, Key=key)),
        'list_objects_v2': error_of(lambda: s3.list_objects_v2(Bucket=bucket)),
        'copy_object': error_of(lambda: s3.copy_object(Bucket=bucket, Key=key + '.copy', CopySource={'Bucket': bucket, 'Key': key})),
        'listed_buckets': [entry['Name'] for entry in s3.list_buckets()['Buckets']],
    }


def acls(params):
    """ACLs through boto3 (the key owns the bucket it creates), and what an unsigned boto3 client may read."""
    s3 = make_client(params)
    anonymous = make_client(params, signature_version=UNSIGNED)
    bucket, key = params['bucket'], params['key']
    all_users = 'http://acs.amazonaws.com/groups/global/AllUsers'
    s3.create_bucket(Bucket=bucket, ACL='public-read')
    s3.put_object(Bucket=bucket, Key=key, Body=b'public bytes', ACL='public-read')
    s3.put_object(Bucket=bucket, Key='private', Body=b'private bytes')
    owner = s3.get_bucket_acl(Bucket=bucket)['Owner']
    public_get = anonymous.get_object(Bucket=bucket, Key=key)['Body'].read().decode()
    listed = [entry['Key'] for entry in anonymous.list_objects_v2(Bucket=bucket).get('Contents', [])]
    private_get = error_of(lambda: anonymous.get_object(Bucket=bucket, Key='private'))
    anonymous_put = error_of(lambda: anonymous.put_object(Bucket=bucket, Key='planted', Body=b'x'))
    s3.put_object_acl(Bucket=bucket, Key='private', AccessControlPolicy={
        'Owner': {'ID': owner['ID']},
        'Grants': [{'Grantee': {'Type': 'Group', 'URI': all_users}, 'Permission': 'READ'}],
    })
    now_public = anonymous.get_object(Bucket=bucket, Key='private')['Body'].read().decode()
    object_acl = s3.get_object_acl(Bucket=bucket, Key='private')
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={'Rules': [{'ObjectOwnership': 'BucketOwnerEnforced'}]})
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)['OwnershipControls']['Rules']
    enforced_put = error_of(lambda: s3.put_object(Bucket=bucket, Key='more', Body=b'x', ACL='public-read'))
    for name in (key, 'private'):
        s3.delete_object(Bucket=bucket, Key=name)
    s3.delete_bucket(Bucket=bucket)
    return {
        'owner': owner,
        'public_get': public_get,
        'listed': listed,
        'private_get': private_get,
        'anonymous_put': anonymous_put,
        'now_public': now_public,
        'object_grants': object_acl['Grants'],
        'ownership': ownership,
        'enforced_put': enforced_put,
    }


def bucket_policy(params):
    """The owner (the sandbox's key) puts a bucket policy and reads it back; a reader's key reads the keys it names."""
    owner = make_client(params)
    bucket = params['bucket']
    reader = boto3.client(
        's3',
        endpoint_url=params['endpoint'],
        region_name='us-east-1',
        aws_access_key_id=params['reader']['key'],
        aws_secret_access_key=params['reader']['secret'],
        config=Config(retries={'max_attempts': 1, 'mode': 'standard'}),
    )

    def read(key):
        try:
            return reader.get_object(Bucket=bucket, Key=key)['Body'].read().decode('utf-8')
        except ClientError as err:
            return err.response['Error'].get('Code')

    out = {'malformed': error_of(lambda: owner.put_bucket_policy(Bucket=bucket, Policy=params['bad_policy']))}
    out['reader_put_policy'] = error_of(lambda: reader.put_bucket_policy(Bucket=bucket, Policy=params['policy']))
    owner.put_bucket_policy(Bucket=bucket, Policy=params['policy'])
    out['policy'] = owner.get_bucket_policy(Bucket=bucket)['Policy']
    out['is_public'] = owner.get_bucket_policy_status(Bucket=bucket)['PolicyStatus']['IsPublic']
    out['reads'] = {key: read(key) for key in params['keys']}
    out['reader_put'] = error_of(lambda: reader.put_object(Bucket=bucket, Key=params['keys'][0], Body=b'overwritten'))
    owner.delete_bucket_policy(Bucket=bucket)
    out['after_delete'] = error_of(lambda: owner.get_bucket_policy(Bucket=bucket))
    out['reads_after_delete'] = {key: read(key) for key in params['keys']}
    return out


def presign_urls(params):
    """generate_presigned_url for put_object and get_object, with boto3's default (SigV2 query) and with s3v4; sends nothing."""
    out = {}
    for label, config in (('default', {}), ('s3v4', {'signature_version': 's3v4'})):
        s3 = make_client(params, **config)
        target = {'Bucket': params['bucket'], 'Key': params['key']}
        out[label] = {
            'put': s3.generate_presigned_url('put_object', Params=target, ExpiresIn=params['expires']),
            'get': s3.generate_presigned_url('get_object', Params=target, ExpiresIn=params['expires']),
        }
    return out


def transfer_file(params):
    """upload_file and download_file, boto3's managed (multipart, threaded) transfers, with `concurrency` threads."""
    rec = Recorder()
    s3 = make_client(params, rec)
    part_threads = set()
    s3.meta.events.register('before-send.s3.UploadPart', lambda **_: part_threads.add(threading.current_thread().name))
    config = TransferConfig(max_concurrency=params['concurrency'])
    s3.upload_file(params['source'], params['bucket'], params['key'], Config=config)
    head = s3.head_object(Bucket=params['bucket'], Key=params['key'])
    s3.download_file(params['bucket'], params['key'], params['target'], Config=config)
    return {
        'etag': head['ETag'],
        'size': head['ContentLength'],
        'part_uploads': len(rec.of('PUT', 'partNumber=')),
        'part_upload_threads': len(part_threads),
        'ranged_gets': len([entry for entry in rec.of('GET') if 'range' in entry['headers']]),
    }


def delete_odd_keys(params):
    """Puts keys of odd shapes (whitespace only, edged with spaces, newlines, markup), lists them and deletes them all in one delete_objects."""
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    for key in params['keys']:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode('utf-8'))
    listed = [entry['Key'] for entry in s3.list_objects_v2(Bucket=bucket).get('Contents', [])]
    result = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': key} for key in params['keys']]})
    return {
        'listed_before': listed,
        'deleted': [entry['Key'] for entry in result.get('Deleted', [])],
        'errors': result.get('Errors', []),
        'remaining': [entry['Key'] for entry in s3.list_objects_v2(Bucket=bucket).get('Contents', [])],
    }


def listing_encoding(params):
    """list_objects and list_objects_v2 (boto3 asks for encoding-type=url and decodes what S3 encodes) with a prefix,
    delimiter, markers and keys that need encoding; prints each answer's fields as boto3 hands them back."""
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    for key in params['keys']:
        s3.put_object(Bucket=bucket, Key=key, Body=b'.')

    def fields(page):
        out = {name: page.get(name) for name in ('Prefix', 'Delimiter', 'Marker', 'NextMarker', 'StartAfter', 'EncodingType', 'IsTruncated')}
        out['keys'] = [entry['Key'] for entry in page.get('Contents', [])]
        out['prefixes'] = [entry['Prefix'] for entry in page.get('CommonPrefixes', [])]
        return out

    prefix, delimiter = params['prefix'], params['delimiter']
    return {
        'v1_prefix': fields(s3.list_objects(Bucket=bucket, Prefix=prefix)),
        'v1_delimiter': fields(s3.list_objects(Bucket=bucket, Prefix=prefix, Delimiter=delimiter)),
        'v1_paged': fields(s3.list_objects(Bucket=bucket, Prefix=prefix, Delimiter=delimiter, Marker=params['marker'], MaxKeys=1)),
        'v2_prefix': fields(s3.list_objects_v2(Bucket=bucket, Prefix=prefix)),
        'v2_delimiter': fields(s3.list_objects_v2(Bucket=bucket, Prefix=prefix, Delimiter=delimiter, StartAfter=params['marker'])),
    }


def utf8_metadata(params):
    """boto3 refuses non-ASCII Metadata values itself, so the scenario puts the UTF-8 bytes of `value` in an
    x-amz-meta-* header on the wire (as other SDKs send them) and reads them back with head_object and get_object.
    http.client reads header bytes as latin-1; re-encoding gives back the bytes the gateway answered."""
    s3 = make_client(params)
    bucket, key = params['bucket'], params['key']
    s3.create_bucket(Bucket=bucket)
    raw = params['value'].encode('utf-8')

    def add_header(request, **_):
        request.headers['x-amz-meta-greeting'] = raw

    s3.meta.events.register('before-send.s3.PutObject', add_header)
    s3.put_object(Bucket=bucket, Key=key, Body=b'meta')
    as_bytes = lambda text: text.encode('latin-1').decode('utf-8')
    head = s3.head_object(Bucket=bucket, Key=key)
    got = s3.get_object(Bucket=bucket, Key=key)
    got['Body'].read()
    return {'head': as_bytes(head['Metadata']['greeting']), 'get': as_bytes(got['Metadata']['greeting'])}


def content_encoding(params):
    """put_object with ContentEncoding (boto3 may add aws-chunked to it); what was sent, and what GET gives back."""
    rec = Recorder()
    s3 = make_client(params, rec)
    bucket, key = params['bucket'], params['key']
    s3.create_bucket(Bucket=bucket)
    body = params['body'].encode('utf-8')
    s3.put_object(Bucket=bucket, Key=key, Body=body, ContentEncoding=params['encoding'])
    got = s3.get_object(Bucket=bucket, Key=key)
    return {
        'ContentEncoding': got.get('ContentEncoding'),
        'body_matches': got['Body'].read() == body,
        'put_request': rec.of('PUT', key)[0],
    }


def tagging(params):
    """Object and bucket tagging as boto3 sends it (put_object_tagging and put_bucket_tagging carry Content-MD5)."""
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key='k', Body=b'tagged', Tagging='team=data science&stage=raw')
    at_put = s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet']
    s3.put_object_tagging(Bucket=bucket, Key='k', Tagging={'TagSet': [{'Key': 'owner', 'Value': 'me@example.com'}]})
    retagged = s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet']
    count = s3.get_object(Bucket=bucket, Key='k').get('TagCount')
    s3.copy_object(Bucket=bucket, Key='copy', CopySource={'Bucket': bucket, 'Key': 'k'}, TaggingDirective='REPLACE', Tagging='copied=yes')
    copied = s3.get_object_tagging(Bucket=bucket, Key='copy')['TagSet']
    too_many = [{'Key': f'k{i}', 'Value': 'v'} for i in range(11)]
    refused = error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key='k', Tagging={'TagSet': too_many}))
    reserved = error_of(lambda: s3.put_object_tagging(Bucket=bucket, Key='k', Tagging={'TagSet': [{'Key': 'aws:x', 'Value': 'v'}]}))
    after_refusals = s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet']
    s3.delete_object_tagging(Bucket=bucket, Key='k')
    deleted = s3.get_object_tagging(Bucket=bucket, Key='k')['TagSet']
    no_bucket_tags = error_of(lambda: s3.get_bucket_tagging(Bucket=bucket))
    s3.put_bucket_tagging(Bucket=bucket, Tagging={'TagSet': [{'Key': 'cost-center', 'Value': '42'}]})
    bucket_tags = s3.get_bucket_tagging(Bucket=bucket)['TagSet']
    return {
        'at_put': sorted(at_put, key=lambda tag: tag['Key']),
        'retagged': retagged,
        'count': count,
        'copied': copied,
        'refused': refused,
        'reserved': reserved,
        'after_refusals': after_refusals,
        'deleted': deleted,
        'no_bucket_tags': no_bucket_tags,
        'bucket_tags': bucket_tags,
    }


def lifecycle(params):
    """Bucket lifecycle as boto3 sends it: put/get/delete_bucket_lifecycle_configuration, the Expiration field of put/head_object."""
    s3 = make_client(params)
    bucket = params['bucket']
    s3.create_bucket(Bucket=bucket)
    missing = error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))
    rules = [
        {'ID': 'logs', 'Status': 'Enabled', 'Filter': {'Prefix': 'logs/'}, 'Expiration': {'Days': 30}},
        {
            'ID': 'versions', 'Status': 'Enabled', 'Filter': {'And': {'Prefix': 'data/', 'Tags': [{'Key': 'tier', 'Value': 'cold'}]}},
            'NoncurrentVersionExpiration': {'NoncurrentDays': 7, 'NewerNoncurrentVersions': 2},
        },
        {'ID': 'uploads', 'Status': 'Disabled', 'Filter': {}, 'AbortIncompleteMultipartUpload': {'DaysAfterInitiation': 3}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)['Rules']
    put_expiration = s3.put_object(Bucket=bucket, Key='logs/today', Body=b'x').get('Expiration')
    head_expiration = s3.head_object(Bucket=bucket, Key='logs/today').get('Expiration')
    untouched = s3.head_object(Bucket=bucket, Key='logs/today')['ContentLength']
    transition = error_of(lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': [
        {'ID': 'cold', 'Status': 'Enabled', 'Filter': {}, 'Transitions': [{'Days': 30, 'StorageClass': 'GLACIER'}]},
    ]}))
    no_action = error_of(lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={'Rules': [
        {'ID': 'nothing', 'Status': 'Enabled', 'Filter': {}},
    ]}))
    after_refusals = s3.get_bucket_lifecycle_configuration(Bucket=bucket)['Rules']
    s3.delete_bucket_lifecycle(Bucket=bucket)
    deleted = error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))
    return {
        'missing': missing,
        'rules_put': rules,
        'rules_got': got,
        'put_expiration': put_expiration,
        'head_expiration': head_expiration,
        'size': untouched,
        'transition': transition,
        'no_action': no_action,
        'unchanged': after_refusals == got,
        'deleted': deleted,
    }


def object_lock(params):
    """Object Lock as boto3 sends it: create_bucket ObjectLockEnabledForBucket, the lock configuration, retention and
    legal hold (botocore adds the checksum those PUTs require), lock headers on put_object, and the refusals."""
    import datetime
    s3 = make_client(params)
    bucket = params['bucket']
    until = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    versioning = s3.get_bucket_versioning(Bucket=bucket).get('Status')
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        'ObjectLockEnabled': 'Enabled', 'Rule': {'DefaultRetention': {'Mode': 'GOVERNANCE', 'Days': 1}}})
    configuration = s3.get_object_lock_configuration(Bucket=bucket)['ObjectLockConfiguration']
    version = s3.put_object(Bucket=bucket, Key='k', Body=b'locked', ObjectLockMode='GOVERNANCE', ObjectLockRetainUntilDate=until,
                            ObjectLockLegalHoldStatus='ON')['VersionId']
    head = s3.head_object(Bucket=bucket, Key='k')
    retention = s3.get_object_retention(Bucket=bucket, Key='k', VersionId=version)['Retention']
    held = error_of(lambda: s3.delete_object(Bucket=bucket, Key='k', VersionId=version, BypassGovernanceRetention=True))
    s3.put_object_legal_hold(Bucket=bucket, Key='k', VersionId=version, LegalHold={'Status': 'OFF'})
    legal_hold = s3.get_object_legal_hold(Bucket=bucket, Key='k', VersionId=version)['LegalHold']
    retained = error_of(lambda: s3.delete_object(Bucket=bucket, Key='k', VersionId=version))
    shortened = error_of(lambda: s3.put_object_retention(Bucket=bucket, Key='k', VersionId=version, Retention={
        'Mode': 'GOVERNANCE', 'RetainUntilDate': datetime.datetime(2098, 1, 1, tzinfo=datetime.timezone.utc)}))
    suspended = error_of(lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={'Status': 'Suspended'}))
    bypassed = s3.delete_object(Bucket=bucket, Key='k', VersionId=version, BypassGovernanceRetention=True)['ResponseMetadata']['HTTPStatusCode']
    s3.create_bucket(Bucket=bucket + '-plain')
    s3.put_object(Bucket=bucket + '-plain', Key='k', Body=b'plain')
    no_configuration = error_of(lambda: s3.get_object_lock_configuration(Bucket=bucket + '-plain'))
    no_lock = error_of(lambda: s3.get_object_retention(Bucket=bucket + '-plain', Key='k'))
    return {
        'versioning': versioning,
        'configuration': configuration,
        'head': {name: str(head.get(name)) for name in ('ObjectLockMode', 'ObjectLockRetainUntilDate', 'ObjectLockLegalHoldStatus')},
        'retention': {'Mode': retention['Mode'], 'RetainUntilDate': retention['RetainUntilDate'].isoformat()},
        'held': held,
        'legal_hold': legal_hold,
        'retained': retained,
        'shortened': shortened,
        'suspended': suspended,
        'bypassed': bypassed,
        'no_configuration': no_configuration,
        'no_lock': no_lock,
    }


SCENARIOS = {
    fn.__name__: fn
    for fn in (
        put_get_metadata, paginate, copy, delete_objects, head_missing, fileobj, checksums, ranged_download, presigned,
        conditionals, empty_bucket, list_buckets_pages, virtual_hosted, round_trip, refused, not_owner, presign_urls, transfer_file,
        delete_odd_keys, listing_encoding, utf8_metadata, content_encoding, object_attributes, acls, bucket_policy, tagging, presigned_post,
        lifecycle, object_lock,
    )
}

if __name__ == '__main__':
    params = json.load(sys.stdin)
    result = SCENARIOS[sys.argv[1]](params)
    result['versions_used'] = {'boto3': boto3.__version__, 'botocore': botocore.__version__}
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write('\n')
