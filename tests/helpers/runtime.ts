import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FunctionDefinition } from '../../local/runtime';

export interface Recorded {
  event: Record<string, unknown>;
  functionName: string;
  requestId: string;
  remainingMs: number;
  marker?: string;
}

export function recordFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'runtime-')), 'invocations.jsonl');
}

export function recorded(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Recorded);
}

/** A function definition pointing at the recorder test handler. */
export function recorderFunction(
  name: string,
  file: string,
  overrides: Partial<FunctionDefinition> = {},
  env: Record<string, string> = {},
): FunctionDefinition {
  return {
    name,
    functionName: `test-local-${name}`,
    handlerFile: path.join(__dirname, 'runtime-handlers', 'recorder.ts'),
    handlerExport: 'handler',
    timeoutSeconds: 30,
    memorySize: 256,
    environment: { RECORD_FILE: file, ...env },
    schedules: [],
    msk: [],
    streams: [],
    ...overrides,
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
