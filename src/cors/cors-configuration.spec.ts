import { thrownS3Error } from '../../test/support/rejections';
import { toXml } from '../s3/xml';
import { corsConfigurationXml, type CorsRule, parseCorsConfiguration } from './cors-configuration';

const rule = (inner: string): string => `<CORSRule>${inner}</CORSRule>`;
const config = (...rules: string[]): string => `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules.join('')}</CORSConfiguration>`;
const MINIMAL = '<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>';

describe('parseCorsConfiguration', () => {
  it('reads every element of every rule, in order, repeated elements as lists', () => {
    const text = config(
      rule(
        '<ID>uploads</ID><AllowedOrigin>https://app.example.com</AllowedOrigin><AllowedOrigin>https://*.example.org</AllowedOrigin>' +
          '<AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>Content-Type</AllowedHeader>' +
          '<ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-version-id</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>',
      ),
      rule(MINIMAL),
    );
    expect(parseCorsConfiguration(text)).toEqual<CorsRule[]>([
      {
        id: 'uploads',
        allowedOrigins: ['https://app.example.com', 'https://*.example.org'],
        allowedMethods: ['PUT', 'POST'],
        allowedHeaders: ['x-amz-*', 'Content-Type'],
        exposeHeaders: ['ETag', 'x-amz-version-id'],
        maxAgeSeconds: 3000,
      },
      { id: undefined, allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [], maxAgeSeconds: undefined },
    ]);
  });

  it('takes 100 rules and refuses 101 with InvalidRequest', () => {
    expect(parseCorsConfiguration(config(...Array.from({ length: 100 }, () => rule(MINIMAL))))).toHaveLength(100);
    const error = thrownS3Error(() => parseCorsConfiguration(config(...Array.from({ length: 101 }, () => rule(MINIMAL)))));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'InvalidRequest',
      message: 'The number of CORS rules should not exceed allowed limit of 100 rules.',
    });
  });

  it.each([
    ['not XML', 'CORS please'],
    ['another root element', '<CORSConfig><CORSRule>' + MINIMAL + '</CORSRule></CORSConfig>'],
    ['no rule', config()],
    ['a rule without an origin', config(rule('<AllowedMethod>GET</AllowedMethod>'))],
    ['a rule without a method', config(rule('<AllowedOrigin>*</AllowedOrigin>'))],
    ['an empty origin', config(rule('<AllowedOrigin></AllowedOrigin><AllowedMethod>GET</AllowedMethod>'))],
    ['a MaxAgeSeconds that is no number', config(rule(MINIMAL + '<MaxAgeSeconds>soon</MaxAgeSeconds>'))],
    ['a negative MaxAgeSeconds', config(rule(MINIMAL + '<MaxAgeSeconds>-1</MaxAgeSeconds>'))],
    ['an unclosed document', '<CORSConfiguration><CORSRule>' + MINIMAL + '</CORSRule>'],
  ])('refuses %s with MalformedXML', (_what, text) => {
    expect(thrownS3Error(() => parseCorsConfiguration(text)).code).toBe('MalformedXML');
  });

  it.each([
    [
      'PATCH',
      '<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>',
      'Found unsupported HTTP method in CORS config. Unsupported method is PATCH',
    ],
    [
      'get in lower case',
      '<AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod>',
      'Found unsupported HTTP method in CORS config. Unsupported method is get',
    ],
    [
      'two wildcards in an origin',
      '<AllowedOrigin>https://*.*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>',
      'AllowedOrigin "https://*.*.example.com" can not have more than one wildcard.',
    ],
    ['two wildcards in a header', MINIMAL + '<AllowedHeader>x-*-*</AllowedHeader>', 'AllowedHeader "x-*-*" can not have more than one wildcard.'],
    [
      'a wildcard in an ExposeHeader',
      MINIMAL + '<ExposeHeader>x-amz-*</ExposeHeader>',
      'ExposeHeader "x-amz-*" contains wildcard. We currently do not support wildcard for ExposeHeader.',
    ],
    ['a space inside an ExposeHeader', MINIMAL + '<ExposeHeader>E Tag</ExposeHeader>', 'ExposeHeader "E Tag" contains invalid character.'],
    ['an ID over 255 characters', MINIMAL + `<ID>${'i'.repeat(256)}</ID>`, `The ID value can be up to 255 characters long. Invalid ID is "${'i'.repeat(256)}"`],
  ])('refuses %s with InvalidRequest and S3 message', (_what, inner, message) => {
    const error = thrownS3Error(() => parseCorsConfiguration(config(rule(inner))));
    expect({ code: error.code, message: error.message }).toEqual({ code: 'InvalidRequest', message });
  });
});

describe('corsConfigurationXml', () => {
  it('writes what parseCorsConfiguration reads back to the same rules', () => {
    const rules = parseCorsConfiguration(
      config(
        rule(
          '<ID>a&amp;b</ID><AllowedOrigin>https://x.test</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>0</MaxAgeSeconds>',
        ),
        rule(MINIMAL + '<AllowedHeader>*</AllowedHeader>'),
      ),
    );
    expect(parseCorsConfiguration(toXml('CORSConfiguration', corsConfigurationXml(rules)))).toEqual(rules);
  });
});
