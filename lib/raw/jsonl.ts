import { once } from 'node:events';
import { createGzip } from 'node:zlib';

/**
 * JSON lines, gzip-compressed as they are produced: a 10,000-record batch never exists as one
 * big string, only as its (small) compressed chunks.
 */
export async function jsonLines(rows: Iterable<unknown>, gzip: boolean): Promise<Buffer> {
  if (!gzip) {
    const parts: Buffer[] = [];
    for (const row of rows) parts.push(Buffer.from(`${JSON.stringify(row)}\n`));
    return Buffer.concat(parts);
  }
  const zip = createGzip();
  const chunks: Buffer[] = [];
  zip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = once(zip, 'end');
  for (const row of rows) {
    if (!zip.write(`${JSON.stringify(row)}\n`)) await once(zip, 'drain');
  }
  zip.end();
  await done;
  return Buffer.concat(chunks);
}
