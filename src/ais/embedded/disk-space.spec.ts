import { tmpdir } from 'node:os';
import { S3Error } from '../../s3/errors';
import { DiskSpace } from './disk-space';

describe('DiskSpace', () => {
  it('lets writes go ahead while the free space is above the reserve, without waiting', async () => {
    const disk = new DiskSpace(tmpdir(), 0);
    await disk.measure();
    expect(disk.checkRoom()).toBeUndefined();
  });

  it('refuses a write with InsufficientStorage (507) when the free space is below the reserve, read fresh', async () => {
    const disk = new DiskSpace(tmpdir(), Number.MAX_SAFE_INTEGER);
    await disk.measure();
    const refused = disk.checkRoom();
    expect(refused).toBeInstanceOf(Promise);
    await expect(refused).rejects.toMatchObject({ code: 'InsufficientStorage', status: 507, message: expect.stringContaining('MIN_FREE_DISK_MB') as string });
  });

  it('answers a write that ran out of space (ENOSPC, or lmdb commitError with errno 28) as InsufficientStorage, anything else as it is', async () => {
    const disk = new DiskSpace(tmpdir(), 0);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(await disk.failureOf(enospc)).toBeInstanceOf(S3Error);
    const commitError = Promise.reject(Object.assign(new Error('No space left on device'), { code: 28 }));
    commitError.catch(() => undefined);
    const failedCommit = Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
    expect(await disk.failureOf(failedCommit)).toMatchObject({ code: 'InsufficientStorage', status: 507 });
    const other = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    expect(await disk.failureOf(other)).toBe(other);
  });
});
