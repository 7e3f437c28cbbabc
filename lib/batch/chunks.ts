/**
 * Items in consecutive groups, in order, each within a request's limits: at most `maxBytes` by
 * `sizeOf` and at most `maxItems`. An item larger than `maxBytes` goes alone in its group (the
 * service then says what it thinks of it).
 */
export function inChunks<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: { readonly maxBytes: number; readonly maxItems?: number },
): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (chunk.length > 0 && (chunk.length === (limits.maxItems ?? Infinity) || bytes + size > limits.maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
