import { attributesOfCustomMetadata, customMetadataLines } from './custom-metadata';
import { checkStorableKey, objectPath, unstorableReason } from './object-names';

describe('S3 keys on the AIS backend', () => {
  it('keys AIS stores unaltered pass, with each path segment percent-encoded', () => {
    for (const key of ['a', 'a/b/c', 'x.', '..x', 'sp ace', 'q?mark#hash', 'unié/中', 'a%2Fb']) expect(unstorableReason(key)).toBeUndefined();
    expect(objectPath('b1', 'dir/sp ace?#/%2F')).toBe('/v1/objects/b1/dir/sp%20ace%3F%23/%252F');
  });

  it('keys AIS would refuse or silently alter are refused with InvalidArgument naming the reason', () => {
    expect(unstorableReason('dir/')).toMatch(/ends with "\/"/);
    expect(unstorableReason('/lead')).toMatch(/starts with "\/"/);
    expect(unstorableReason('a//b')).toMatch(/contains "\/\/"/);
    expect(unstorableReason('a/./b')).toMatch(/"\." or "\.\." path segment/);
    expect(unstorableReason('../up')).toMatch(/"\." or "\.\." path segment/);
    expect(unstorableReason(`d/${'x'.repeat(256)}`)).toMatch(/longer than 255 bytes/);
    expect(() => checkStorableKey('dir/')).toThrow(expect.objectContaining({ code: 'InvalidArgument', status: 400 }));
  });
});

describe('S3 attributes in AIS custom metadata', () => {
  it('round-trip content headers and user metadata, non-ASCII and % included', () => {
    const attributes = {
      content: { contentType: 'text/plain; charset=utf-8', cacheControl: 'max-age=60', contentDisposition: 'attachment; filename="ünï.txt"' },
      userMetadata: { color: 'blue, or 50% green', 'k2': 'a=b:c' },
    };
    const lines = customMetadataLines(attributes);
    expect(lines).toEqual(expect.arrayContaining(['content-type=text/plain; charset=utf-8', 'x-amz-meta-color=blue, or 50%25 green']));
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(attributesOfCustomMetadata(lines)).toEqual(attributes);
  });

  it('pairs other AIS users set are not taken for S3 metadata', () => {
    expect(attributesOfCustomMetadata(['source=camera', 'x-amz-meta-k=v', 'novalue'])).toEqual({ content: {}, userMetadata: { k: 'v' } });
  });
});
