"""A boto3 client that opens a GET and stops reading, as code does that calls get_object and never reads the body.

Usage: stalled_reader.py ENDPOINT BUCKET KEY (credentials from the environment). Prints one JSON line once the
answer's headers are in ({"content_length": N}), then reads nothing until a line arrives on stdin; then reads
the body to its end and prints {"received": bytes, "error": the exception that ended the read, or null}.
"""
import json
import sys

import boto3
from botocore.config import Config

endpoint, bucket, key = sys.argv[1:4]
s3 = boto3.client(
    's3',
    endpoint_url=endpoint,
    config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1, 'mode': 'standard'}, read_timeout=120),
)
answer = s3.get_object(Bucket=bucket, Key=key)
print(json.dumps({'content_length': answer['ContentLength']}), flush=True)
sys.stdin.readline()
body = answer['Body']
received = 0
error = None
try:
    while True:
        chunk = body.read(1 << 20)
        if not chunk:
            break
        received += len(chunk)
except Exception as failure:  # what the client code would see: botocore's IncompleteReadError, urllib3's ProtocolError
    error = f'{type(failure).__name__}: {failure}'
print(json.dumps({'received': received, 'error': error}), flush=True)
