import { S3ServiceException } from '@aws-sdk/client-s3';
import { type RawResponse, xmlText } from './raw-http';

/**
 * Awaits a request that must fail with an S3 error and checks what the user sees: the error name and the HTTP
 * status. Answers without a body (HEAD errors, 304) carry no error code: the SDK names them `NotFound` for a
 * 404 and `Unknown` otherwise, as it does against AWS. Hands the error back for further checks.
 */
export async function expectS3Error(promise: Promise<unknown>, name: string, status: number): Promise<S3ServiceException> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (err) {
    if (!(err instanceof S3ServiceException)) throw err;
    expect({ name: err.name, status: err.$metadata.httpStatusCode }).toEqual({ name, status });
    return err;
  }
  const succeeded = (outcome as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  throw new Error(`expected ${name} (${status}), but the request succeeded (${succeeded ?? 'no status'})`);
}

/** A body-less error answer (HEAD, 304) as the SDK reports it. */
export function bodylessErrorName(status: number): string {
  return status === 404 ? 'NotFound' : 'Unknown';
}

/** An S3 error answer as it is on the wire (a raw request): its HTTP status and the `<Code>` of its XML body. */
export function expectS3ErrorResponse(response: Pick<RawResponse, 'status' | 'body'>, code: string, status: number): void {
  expect({ status: response.status, code: xmlText(response.body, 'Code') }).toEqual({ status, code });
}
