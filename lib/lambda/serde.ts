import type { GlueClient } from '@aws-sdk/client-glue';
import type { Logger } from '../log';
import { GlueSchemaRegistry, SchemaCache } from '../registry';
import { GlueAvroSerde } from '../serde';

/**
 * How long a function trusts "the latest version of a schema", and how many versions it keeps
 * compiled; the retry function trusts "latest" for less (CDC_SCHEMA_LATEST_TTL_SECONDS).
 */
export const SCHEMA_CACHE_DEFAULTS = { latestTtlMs: 5 * 60_000, maxEntries: 200 } as const;

/** The Glue Schema Registry serde of a function, over one schema cache per container. */
export function glueSerdeFor(
  glue: GlueClient,
  registryName: string,
  log: Logger,
  options: { latestTtlMs?: number } = {},
): GlueAvroSerde {
  const cache = new SchemaCache(new GlueSchemaRegistry(glue, registryName), {
    maxEntries: SCHEMA_CACHE_DEFAULTS.maxEntries,
    latestTtlMs: options.latestTtlMs ?? SCHEMA_CACHE_DEFAULTS.latestTtlMs,
    log,
  });
  return new GlueAvroSerde(cache);
}
