import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, derivedCanonicalId, parseCredentialsFile } from './credentials';

describe('parseCredentialsFile', () => {
  it('reads ACCESS_KEY_ID:SECRET lines, skipping blanks and comments, keeping colons in secrets', () => {
    const keys = parseCredentialsFile('# team keys\nAK1:secret1\n\n  AK2 : se:cret2  \n', 'f');
    expect([...keys].map(([key, user]) => [key, user.secret])).toEqual([
      ['AK1', 'secret1'],
      ['AK2', 'se:cret2'],
    ]);
  });

  it('gives a line without fields a stable derived canonical id, the key as display name, and no admin rights', () => {
    const user = parseCredentialsFile('AK1:secret1\n', 'f').get('AK1');
    expect(user).toEqual({ accessKeyId: 'AK1', secret: 'secret1', canonicalId: derivedCanonicalId('AK1'), displayName: 'AK1', admin: false });
    expect(user?.canonicalId).toMatch(/^[0-9a-f]{64}$/);
    expect(derivedCanonicalId('AK1')).toBe(derivedCanonicalId('AK1'));
    expect(derivedCanonicalId('AK2')).not.toBe(derivedCanonicalId('AK1'));
  });

  it('reads name=, id= and admin after the secret, in any order, keeping spaces and colons inside the secret', () => {
    const id = 'AB'.repeat(32);
    const users = parseCredentialsFile(`AK1:se:cret one  name=alice id=${id} admin\nAK2:s2\tadmin   name=bob\nAK3:admin\n`, 'f');
    expect(users.get('AK1')).toEqual({ accessKeyId: 'AK1', secret: 'se:cret one', canonicalId: id.toLowerCase(), displayName: 'alice', admin: true });
    expect(users.get('AK2')).toMatchObject({ secret: 's2', displayName: 'bob', admin: true });
    // A lone word after the colon is the secret, even one that looks like a field.
    expect(users.get('AK3')).toMatchObject({ secret: 'admin', admin: false });
  });

  it('names the file and line of a malformed entry', () => {
    expect(() => parseCredentialsFile('AK1:s\nnot-a-pair\n', '/etc/creds')).toThrow('/etc/creds:2: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY');
    expect(() => parseCredentialsFile('AK1:s id=1234\n', '/etc/creds')).toThrow('/etc/creds:1: id= must be 64 hex characters, not "1234"');
    expect(() => parseCredentialsFile(':s\n', '/etc/creds')).toThrow('/etc/creds:1: expected');
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

  it('makes the key from the environment and the S3_ADMIN_KEYS keys admins, and finds users by canonical id', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials');
    writeFileSync(file, 'FILEKEY:filesecret name=ops\nOTHER:x\n');
    const store = new CredentialStore({ id: 'ENVKEY', secret: 'envsecret' }, file, Date.now, { adminKeys: ['FILEKEY'] });
    expect(store.userOf('ENVKEY')).toMatchObject({ admin: true, canonicalId: derivedCanonicalId('ENVKEY') });
    expect(store.userOf('FILEKEY')).toMatchObject({ admin: true, displayName: 'ops' });
    expect(store.userOf('OTHER')?.admin).toBe(false);
    expect(store.userById(derivedCanonicalId('FILEKEY'))?.accessKeyId).toBe('FILEKEY');
    expect(store.userById(derivedCanonicalId('NOBODY'))).toBeUndefined();
  });

  it("lets two keys share a canonical id (one user, an old and a new key), showing the first key's name", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials');
    const id = 'cd'.repeat(32);
    writeFileSync(file, `NEWKEY:n name=team-a id=${id}\nOLDKEY:o name=team-a-old id=${id}\n`);
    const store = new CredentialStore(undefined, file);
    expect([store.userOf('NEWKEY')?.canonicalId, store.userOf('OLDKEY')?.canonicalId]).toEqual([id, id]);
    expect(store.userById(id)?.displayName).toBe('team-a');
  });

  it('refuses to start on a missing file', () => {
    expect(() => new CredentialStore(undefined, '/nonexistent/credentials')).toThrow();
  });
});
