import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, parseCredentialsFile } from './credentials';

describe('parseCredentialsFile', () => {
  it('reads ACCESS_KEY_ID:SECRET lines, skipping blanks and comments, keeping colons in secrets', () => {
    const keys = parseCredentialsFile('# team keys\nAK1:secret1\n\n  AK2 : se:cret2  \n', 'f');
    expect([...keys]).toEqual([
      ['AK1', 'secret1'],
      ['AK2', 'se:cret2'],
    ]);
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => parseCredentialsFile('AK1:s\nnot-a-pair\n', '/etc/creds')).toThrow('/etc/creds:2: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY');
  });
});

describe('CredentialStore', () => {
  it('knows the key from the environment and the keys from the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials');
    writeFileSync(file, 'FILEKEY:filesecret\n');
    const store = new CredentialStore({ id: 'ENVKEY', secret: 'envsecret' }, file);
    expect(store.secretOf('ENVKEY')).toBe('envsecret');
    expect(store.secretOf('FILEKEY')).toBe('filesecret');
    expect(store.secretOf('OTHER')).toBeUndefined();
  });

  it('picks up a rotated file after the recheck interval, not before', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials');
    writeFileSync(file, 'OLD:one\n');
    let now = 1_000_000;
    const store = new CredentialStore(undefined, file, () => now);
    writeFileSync(file, 'NEW:two\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(store.secretOf('OLD')).toBe('one');
    now += 10_000;
    expect(store.secretOf('NEW')).toBe('two');
    expect(store.secretOf('OLD')).toBeUndefined();
  });

  it('refuses to start on a missing file', () => {
    expect(() => new CredentialStore(undefined, '/nonexistent/credentials')).toThrow();
  });
});
