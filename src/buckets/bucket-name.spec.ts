import { bucketNameProblem } from './bucket-name';

describe('bucketNameProblem', () => {
  it.each(['abc', 'my-bucket', 'my.bucket.1', 'a'.repeat(63), '1bucket'])('accepts %p', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each(['ab', 'a'.repeat(64), 'Upper', 'under_score', '-start', 'end-', '.dot', 'a..b', '10.0.0.1', 'xn--abc', 'name-s3alias', 'sp ace'])(
    'refuses %p',
    (name) => {
      expect(bucketNameProblem(name)).toEqual(expect.any(String));
    },
  );
});
