import { ConfigError } from '../errors';
import { type Env, requireString } from './env';

export type Compression = 'none' | 'zlib';

export interface EntityConfig {
  readonly name: string;
  readonly compression: Compression;
}

/** CDC_ENTITIES is generated from params.entities by resources/entities.js. */
export function parseEntities(env: Env, name = 'CDC_ENTITIES'): ReadonlyMap<string, EntityConfig> {
  const raw = requireString(env, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'is not JSON (expected a map of entity name -> options)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(name, 'must be a JSON object of entity name -> options');
  }
  const entities = new Map<string, EntityConfig>();
  for (const [entity, options] of Object.entries(parsed as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9_]*$/.test(entity))
      throw new ConfigError(name, `entity name "${entity}" must match ^[a-z][a-z0-9_]*$`);
    entities.set(entity, { name: entity, compression: parseCompression(name, entity, options) });
  }
  if (entities.size === 0) throw new ConfigError(name, 'lists no entity');
  return entities;
}

function parseCompression(name: string, entity: string, options: unknown): Compression {
  const value =
    options !== null && typeof options === 'object' ? (options as { compression?: unknown }).compression : undefined;
  if (value === undefined || value === 'none') return 'none';
  if (value === 'zlib') return 'zlib';
  throw new ConfigError(`${name}.${entity}.compression`, `must be "none" or "zlib", got ${JSON.stringify(value)}`);
}
