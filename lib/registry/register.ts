import { canonicalDefinition } from '../avro';
import { sleep } from '../retry';
import { findIncompatibility } from './compatibility';
import { SchemaIncompatibleError } from './errors';
import type { CompatibilityMode, SchemaRegistryPort } from './port';

export interface SchemaToRegister {
  readonly schemaName: string;
  readonly definition: string;
  /** Used when the schema is created; an existing schema keeps (and is checked under) its own mode. */
  readonly compatibility: CompatibilityMode;
}

export interface RegistrationOutcome {
  readonly schemaName: string;
  readonly action: 'created' | 'registered' | 'unchanged';
  readonly versionNumber: number;
  readonly schemaVersionId: string;
}

export interface RegistrationOptions {
  readonly log?: (message: string) => void;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Makes the registry hold the file's definition as the schema's latest version: creates the
 * schema if missing, registers a new version only when the definition differs (idempotent),
 * checks compatibility first, waits while Glue says PENDING and fails with Glue's reason on
 * FAILURE.
 */
export async function registerSchema(
  registry: SchemaRegistryPort,
  wanted: SchemaToRegister,
  options: RegistrationOptions = {},
): Promise<RegistrationOutcome> {
  const log = options.log ?? (() => undefined);
  const info = await registry.getSchema(wanted.schemaName);
  if (info === undefined) {
    await registry.createSchema(wanted.schemaName, wanted.definition, wanted.compatibility);
    const first = await registry.getLatestVersion(wanted.schemaName);
    return {
      schemaName: wanted.schemaName,
      action: 'created',
      versionNumber: first.versionNumber,
      schemaVersionId: first.schemaVersionId,
    };
  }
  if (info.compatibility !== wanted.compatibility) {
    log(
      `${wanted.schemaName}: registry has compatibility ${info.compatibility}, configuration says ${wanted.compatibility}; checking under ${info.compatibility}`,
    );
  }
  const latest = await registry.getLatestVersion(wanted.schemaName);
  if (canonicalDefinition(latest.definition) === canonicalDefinition(wanted.definition)) {
    return {
      schemaName: wanted.schemaName,
      action: 'unchanged',
      versionNumber: latest.versionNumber,
      schemaVersionId: latest.schemaVersionId,
    };
  }
  const previous = info.compatibility.endsWith('_ALL')
    ? await Promise.all(
        Array.from({ length: latest.versionNumber }, (_, i) =>
          registry.getVersionByNumber(wanted.schemaName, i + 1).then((v) => v.definition),
        ),
      )
    : [latest.definition];
  const problem = findIncompatibility(info.compatibility, wanted.definition, previous);
  if (problem) throw new SchemaIncompatibleError(`${wanted.schemaName}: refusing to register: ${problem}`);
  const registered = await registry.registerVersion(wanted.schemaName, wanted.definition);
  await waitUntilAvailable(registry, wanted.schemaName, registered, options);
  return {
    schemaName: wanted.schemaName,
    action: 'registered',
    versionNumber: registered.versionNumber,
    schemaVersionId: registered.schemaVersionId,
  };
}

async function waitUntilAvailable(
  registry: SchemaRegistryPort,
  schemaName: string,
  registered: { schemaVersionId: string; versionNumber: number; status: string },
  options: RegistrationOptions,
): Promise<void> {
  const pause = options.sleep ?? sleep;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let status = { status: registered.status, reason: undefined as string | undefined };
  while (status.status === 'PENDING') {
    if (Date.now() > deadline)
      throw new Error(
        `${schemaName} v${registered.versionNumber} is still PENDING after ${(options.timeoutMs ?? 60_000) / 1000} s`,
      );
    await pause(options.pollMs ?? 1000);
    status = await registry
      .getVersionStatus(registered.schemaVersionId)
      .then((s) => ({ status: s.status, reason: s.reason }));
  }
  if (status.status === 'FAILURE') {
    throw new SchemaIncompatibleError(
      `${schemaName} v${registered.versionNumber}: Glue refused the version (FAILURE)${status.reason ? `: ${status.reason}` : ''}`,
    );
  }
}
