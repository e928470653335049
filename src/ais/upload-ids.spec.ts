import { initiatedOf, isUploadId, newUploadId } from './upload-ids';

describe('multipart upload ids', () => {
  it('say when they were made and sort by it', () => {
    const id = newUploadId(1_795_700_000_000);
    expect(isUploadId(id)).toBe(true);
    expect(initiatedOf(id).getTime()).toBe(1_795_700_000_000);
    expect(newUploadId(1) < newUploadId(2)).toBe(true);
    expect(newUploadId(35) < newUploadId(36)).toBe(true);
  });

  it('are 25 characters safe in AIS object names and LMDB keys, and differ each time', () => {
    const ids = Array.from({ length: 200 }, () => newUploadId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tell ids of ours from anything else', () => {
    const id = newUploadId();
    for (const bad of ['', '../../x', 'no-such-upload', `${id}/..`, `${id}x`, id.slice(1)]) expect(isUploadId(bad)).toBe(false);
  });
});
