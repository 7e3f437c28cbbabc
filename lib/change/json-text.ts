/**
 * JSON text of any value a source can send, however deeply nested. `JSON.stringify` recurses and
 * throws `RangeError` past a few thousand levels; a hostile record must still be parked whole, so
 * such values are written by an explicit stack instead. Same output as `JSON.stringify` for
 * JSON-parsed input (no functions, symbols, cycles or toJSON methods).
 */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return jsonTextIteratively(value);
  }
}

type Frame = { readonly text: string } | { readonly value: unknown };

function jsonTextIteratively(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [{ value: root }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('text' in frame) {
      out.push(frame.text);
      continue;
    }
    const value = frame.value;
    if (value === null || typeof value !== 'object') {
      out.push(JSON.stringify(value) ?? 'null');
      continue;
    }
    const isArray = Array.isArray(value);
    const entries = isArray
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value).filter(([, v]) => v !== undefined);
    // Pushed in reverse, so they pop in order.
    const frames: Frame[] = [{ text: isArray ? '[' : '{' }];
    entries.forEach(([key, child], i) => {
      if (i > 0) frames.push({ text: ',' });
      if (!isArray) frames.push({ text: `${JSON.stringify(key)}:` });
      frames.push({ value: child });
    });
    frames.push({ text: isArray ? ']' : '}' });
    for (let i = frames.length - 1; i >= 0; i -= 1) stack.push(frames[i]!);
  }
  return out.join('');
}

/** A value as a short quoted excerpt for an error message: never the whole of a huge value. */
export function excerpt(value: unknown, maxChars = 120): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : jsonText(value);
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… (${text.length} characters in all)`;
}
