/** A writer for the newc cpio format the Linux kernel unpacks as an initramfs. */

/** One entry of an archive: a directory, a regular file or a character device. */
export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly data: Buffer; readonly mode?: number }
  | { readonly kind: 'chardev'; readonly path: string; readonly major: number; readonly minor: number; readonly mode?: number };

const TYPE = { dir: 0o040000, file: 0o100000, chardev: 0o020000 } as const;
const DEFAULT_MODE = { dir: 0o755, file: 0o644, chardev: 0o600 } as const;

function pad4(n: number): Buffer {
  return Buffer.alloc((4 - (n % 4)) % 4);
}

function header(ino: number, mode: number, size: number, nameSize: number, rdev: readonly [number, number]): Buffer {
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1], nameSize, 0];
  return Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`, 'ascii');
}

/** Serialises entries (paths without a leading slash) followed by the trailer; owner root, mtime 0. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const add = (ino: number, path: string, mode: number, data: Buffer, rdev: readonly [number, number]) => {
    const name = Buffer.from(`${path}\0`, 'utf8');
    const h = header(ino, mode, data.length, name.length, rdev);
    parts.push(h, name, pad4(h.length + name.length), data, pad4(data.length));
  };
  entries.forEach((e, i) => {
    const mode = TYPE[e.kind] | (e.mode ?? DEFAULT_MODE[e.kind]);
    const path = e.path.replace(/^\/+/, '');
    if (e.kind === 'file') add(i + 1, path, mode, e.data, [0, 0]);
    else if (e.kind === 'chardev') add(i + 1, path, mode, Buffer.alloc(0), [e.major, e.minor]);
    else add(i + 1, path, mode, Buffer.alloc(0), [0, 0]);
  });
  add(0, 'TRAILER!!!', 0, Buffer.alloc(0), [0, 0]);
  return Buffer.concat(parts);
}
