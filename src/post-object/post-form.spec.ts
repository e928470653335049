import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { S3Error } from '../s3/errors';
import { readPostForm } from './post-form';

const BOUNDARY = 'formboundary';

/** A request whose body is `text`, as the HTTP server hands it to readPostForm. */
function requestOf(text: string): { raw: IncomingMessage; headers: Record<string, string> } {
  const raw = new PassThrough();
  raw.end(Buffer.from(text, 'utf8'));
  return { raw: raw as unknown as IncomingMessage, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

function fieldPart(name: string, value: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

const FILE_HEAD = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\n`;

/** Reads the whole file stream; rejects with its error. */
async function fileText(file: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of file) text += (chunk as Buffer).toString('utf8');
  return text;
}

describe('readPostForm', () => {
  it('hands on the fields before the file and the file as a stream', async () => {
    const { raw, headers } = requestOf(`${fieldPart('Key', 'a/b')}${fieldPart('key', 'ignored')}${FILE_HEAD}file bytes\r\n--${BOUNDARY}--\r\n`);
    const form = await readPostForm(raw, headers);
    expect(Object.fromEntries(form.fields)).toEqual({ key: 'a/b' });
    expect(form.filename).toBe('f.txt');
    expect(await fileText(form.file)).toBe('file bytes');
    await expect(form.finished).resolves.toBeUndefined();
    expect(form.framingError()).toBeUndefined();
  });

  it('fails a file part without its closing boundary, also for a reader that comes after the form ended', async () => {
    const { raw, headers } = requestOf(`${fieldPart('key', 'k')}${FILE_HEAD}no end`);
    const form = await readPostForm(raw, headers);
    // The upload starts only after the access checks: by then the parser has failed the file.
    await expect(form.finished).rejects.toBeInstanceOf(S3Error);
    const read = fileText(form.file);
    await expect(read).rejects.toMatchObject({ code: 'MalformedPOSTRequest' });
    expect(form.framingError()?.code).toBe('MalformedPOSTRequest');
  });

  it('refuses a form without a file part', async () => {
    const { raw, headers } = requestOf(`${fieldPart('key', 'k')}--${BOUNDARY}--\r\n`);
    await expect(readPostForm(raw, headers)).rejects.toMatchObject({ code: 'IncorrectNumberOfFilesInPostRequest' });
  });
});
