import { blocksPolicy, parsePublicAccessBlock, publicAccessBlockXml, publicAclEffects, restrictsPublicPolicy } from './public-access-block';

const xml = (inner: string) => `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</PublicAccessBlockConfiguration>`;

describe('public access block', () => {
  it('reads the four switches, a missing one being false, and writes all four back', () => {
    const block = parsePublicAccessBlock(xml('<BlockPublicPolicy>true</BlockPublicPolicy><IgnorePublicAcls>TRUE</IgnorePublicAcls>'));
    expect(block).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false });
    expect(publicAccessBlockXml(block)).toEqual(block);
  });

  it.each([['<Other/>'], [xml('<BlockPublicPolicy>yes</BlockPublicPolicy>')], ['not xml']])('refuses %s with MalformedXML', (text) => {
    expect(() => parsePublicAccessBlock(text)).toThrow(expect.objectContaining({ code: 'MalformedXML' }) as Error);
  });

  it('blocks and restricts only public policies, and tells ACLs what to do', () => {
    const on = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    expect([blocksPolicy(on, true), blocksPolicy(on, false), blocksPolicy(undefined, true)]).toEqual([true, false, false]);
    expect([restrictsPublicPolicy(on, true), restrictsPublicPolicy(on, false), restrictsPublicPolicy(undefined, true)]).toEqual([true, false, false]);
    expect(publicAclEffects(on)).toEqual({ refusePublicAclWrites: true, ignorePublicGrants: true });
    expect(publicAclEffects(undefined)).toEqual({ refusePublicAclWrites: false, ignorePublicGrants: false });
  });
});
