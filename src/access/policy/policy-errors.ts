import { S3Error } from '../../s3/errors';

/** S3's answer to a policy it cannot take: 400 MalformedPolicy with the message saying what is wrong. */
export function malformedPolicy(message: string): S3Error {
  return new S3Error('MalformedPolicy', message);
}
