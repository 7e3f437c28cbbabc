import type { Type } from 'avsc';
import { compileSchema } from '../avro';
import type { CompatibilityMode } from './port';

interface RecordLike {
  readonly typeName: string;
  readonly name?: string;
  readonly fields?: readonly { name: string; type: Type; defaultValue: () => unknown; aliases?: string[] }[];
}

/**
 * Glue's compatibility modes, decided with avsc resolvers ("can a reader with schema R read
 * data written with schema W"), since moto does not enforce them and AWS only fails at deploy.
 * `previous` is oldest first; returns the first problem, naming the field, or undefined.
 */
export function findIncompatibility(
  mode: CompatibilityMode,
  candidate: string,
  previous: readonly string[],
): string | undefined {
  if (mode === 'NONE' || mode === 'DISABLED' || previous.length === 0) return undefined;
  const next = compileSchema(candidate);
  const against = mode.endsWith('_ALL')
    ? previous.map((d, i) => [d, i + 1] as const)
    : [[previous[previous.length - 1] as string, previous.length] as const];
  for (const [definition, versionNumber] of [...against].reverse()) {
    const old = compileSchema(definition);
    if (mode.startsWith('BACKWARD') || mode.startsWith('FULL')) {
      const problem = cannotRead(next, old, '');
      if (problem) return `${mode}: the new schema cannot read data written with version ${versionNumber}: ${problem}`;
    }
    if (mode.startsWith('FORWARD') || mode.startsWith('FULL')) {
      const problem = cannotRead(old, next, '');
      if (problem) return `${mode}: version ${versionNumber} cannot read data written with the new schema: ${problem}`;
    }
  }
  return undefined;
}

/** Why `reader` cannot read what `writer` wrote, as precisely as the field that breaks it. */
function cannotRead(reader: Type, writer: Type, path: string): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return locate(reader, writer, path) ?? `field ${path || '(record)'}: ${(error as Error).message}`;
  }
}

function locate(reader: Type, writer: Type, path: string): string | undefined {
  const r = reader as unknown as RecordLike;
  const w = writer as unknown as RecordLike;
  const rRecord = unionRecord(r);
  const wRecord = unionRecord(w);
  if (!rRecord?.fields || !wRecord?.fields) return undefined;
  for (const field of rRecord.fields) {
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    const written = wRecord.fields.find((f) => f.name === field.name || field.aliases?.includes(f.name));
    if (written === undefined) {
      if (field.defaultValue() === undefined)
        return `field ${fieldPath} is required (no default) but absent from the written data`;
      continue;
    }
    const problem = cannotRead(field.type, written.type, fieldPath);
    if (problem) return problem;
  }
  return undefined;
}

function unionRecord(type: RecordLike): RecordLike | undefined {
  if (type.typeName === 'record') return type;
  const branches = (type as unknown as { types?: RecordLike[] }).types;
  return branches?.find((b) => b.typeName === 'record');
}
