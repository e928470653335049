import { connect, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';

/** A raw TCP connection to the gateway: what a misbehaving client sends, byte for byte, and what came back. */
export interface RawConnection {
  socket: Socket;
  /** Everything the gateway sent on it so far. */
  received(): Buffer;
  /** Resolves once the connection is closed (by either side): whether the gateway closed it, not us. */
  closed: Promise<{ byServer: boolean }>;
  /** Writes `bytes` and resolves once they have left this process (the gateway may still buffer them). */
  write(bytes: string | Buffer): Promise<void>;
  /** Cuts the connection as a client that goes away does. */
  cut(): void;
}

export function openRaw(origin: string): Promise<RawConnection> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let cutByUs = false;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<{ byServer: boolean }>((resolveClosed) => socket.once('close', () => resolveClosed({ byServer: !cutByUs })));
    socket.once('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        closed,
        write: (bytes) => new Promise((written, failed) => socket.write(bytes, (err) => (err ? failed(err) : written()))),
        cut: () => {
          cutByUs = true;
          socket.destroy();
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** The number of file descriptors process `pid` holds (files, sockets, pipes). */
export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
