import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';

/** Bytes read from the end of a log; generous for 40 JSON lines without reading a huge file whole. */
const TAIL_BYTES = 64 * 1024;

/** The last `lines` lines of a log file, or a note saying the file does not exist. */
export function readLogTail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no log file at ${file})`;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n$/, '');
    return text.split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
