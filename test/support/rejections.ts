import { S3Error } from '../../src/s3/errors';

/** Awaits a promise that must reject with an S3Error (unit tests of code below the HTTP layer) and returns it. */
export async function s3ErrorOf(promise: Promise<unknown>): Promise<S3Error> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

/** Calls `act`, which must throw an S3Error (synchronous code below the HTTP layer), and returns it. */
export function thrownS3Error(act: () => unknown): S3Error {
  try {
    act();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}
