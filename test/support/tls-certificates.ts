import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed certificate for 127.0.0.1 and localhost, made by the openssl CLI. */
export interface TestCertificate {
  /** Its subject's common name, to tell certificates apart in a handshake. */
  name: string;
  cert: string;
  key: string;
}

/** Makes a P-256 certificate valid for a day, for IP 127.0.0.1 and DNS localhost; a client trusts it by taking it as its CA. */
export function makeCertificate(dir: string, name: string): TestCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]),
    { stdio: 'pipe' },
  );
  return { name, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** Writes a file by rename, as a Kubernetes Secret volume swaps its contents: a reader never sees half of it. */
export function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}
