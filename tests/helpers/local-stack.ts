import { Pool } from 'pg';
import { localClientConfig, localKafkaBrokers, localPostgres } from '../../stage/local-aws';
import { loadResolvedConfig, type ResolvedConfig, type ResourceNames } from '../../stage/resolved-config';

export { localClientConfig, localKafkaBrokers, localPostgres };

/** A pool on the stack's PostgreSQL server, wide enough for a test's concurrent requests to all be in flight at once. */
export function localPostgresPool(): Pool {
  return new Pool({ ...localPostgres(), max: 16 });
}

let resolved: Promise<ResolvedConfig> | undefined;

/** Resource names come from the same resolved serverless.yml the stack was provisioned from. */
export function localConfig(): Promise<ResolvedConfig> {
  resolved ??= loadResolvedConfig('local');
  return resolved;
}

export async function localNames(): Promise<ResourceNames> {
  return (await localConfig()).custom.names;
}
