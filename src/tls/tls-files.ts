import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';

/** TLS_CERT_FILE and TLS_KEY_FILE: a PEM certificate chain and its private key. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** A certificate and key read and checked together. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
  /** When the leaf certificate expires. */
  notAfter: Date;
}

/** How often the files are looked at (a stat of each) for a rotation. */
export const TLS_RECHECK_MS = 2000;

/**
 * Reads the pair and proves it usable: both files parse and the key belongs to the certificate (Node's
 * secure context refuses a mismatch). Throws an Error naming the files otherwise.
 */
export function readTlsPair(files: TlsFiles): TlsPair {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(files.certFile);
    key = readFileSync(files.keyFile);
  } catch (err) {
    throw new Error(`TLS_CERT_FILE/TLS_KEY_FILE cannot be read: ${(err as Error).message}`, { cause: err });
  }
  try {
    createSecureContext({ cert, key });
    return { cert, key, notAfter: new Date(new X509Certificate(cert).validTo) };
  } catch (err) {
    throw new Error(`TLS_CERT_FILE ${files.certFile} and TLS_KEY_FILE ${files.keyFile} are not a usable certificate and key: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

export interface TlsReloadEvents {
  reloaded(pair: TlsPair): void;
  /** A change left the files unusable (e.g. the certificate replaced before its key): the old pair stays in use. */
  failed(error: Error): void;
}

/**
 * Watches the two files (stat polling, which follows the symlinks a Kubernetes Secret volume swaps on update) and
 * hands every new usable pair to `apply` (the server's setSecureContext): a cert-manager rotation needs no restart,
 * and connections already open keep the certificate they were made with. Returns the function that stops watching.
 */
export function watchTlsFiles(
  files: TlsFiles,
  apply: (options: SecureContextOptions) => void,
  events: TlsReloadEvents,
  intervalMs = TLS_RECHECK_MS,
): () => void {
  const onChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino && current.size === previous.size) return;
    let pair: TlsPair;
    try {
      pair = readTlsPair(files);
    } catch (err) {
      events.failed(err as Error);
      return;
    }
    apply({ cert: pair.cert, key: pair.key });
    events.reloaded(pair);
  };
  const options = { interval: intervalMs, persistent: false };
  watchFile(files.certFile, options, onChange);
  watchFile(files.keyFile, options, onChange);
  return () => {
    unwatchFile(files.certFile, onChange);
    unwatchFile(files.keyFile, onChange);
  };
}
