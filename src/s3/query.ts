import { S3Error } from './errors';

/** Query parameters as S3 reads them: the first value of a name wins, a bare `?uploads` is `''`. */
export type Query = Readonly<Record<string, string>>;

function decodeComponent(text: string): string {
  // Most names and values have nothing to decode; this runs for every parameter of every request.
  if (!text.includes('%')) return text.includes('+') ? text.replace(/\+/g, ' ') : text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    // Not valid UTF-8 once decoded (`%FF`, a lone surrogate) or a stray `%`: S3's InvalidURI, with its message.
    throw new S3Error('InvalidURI');
  }
}

export function parseQuery(raw: string): Query {
  const query = Object.create(null) as Record<string, string | undefined>;
  // An index walk, not split('&'): this runs for every request, and a presigned URL carries seven parameters.
  for (let start = 0; start < raw.length;) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf('=', start);
      const hasValue = eq >= 0 && eq < end;
      const name = decodeComponent(raw.slice(start, hasValue ? eq : end));
      // The first value of a name wins (the object has no prototype, so only parameters are found here).
      if (query[name] === undefined) query[name] = hasValue ? decodeComponent(raw.slice(eq + 1, end)) : '';
    }
    start = end + 1;
  }
  return query as Query;
}
