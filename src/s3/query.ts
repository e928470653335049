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
  const query = Object.create(null) as Record<string, string>;
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    if (name in query) continue;
    query[name] = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
  }
  return query;
}
