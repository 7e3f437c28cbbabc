import { localClientConfig, localKafkaBrokers } from '../../stage/local-aws';
import { loadResolvedConfig, type ResolvedConfig, type ResourceNames } from '../../stage/resolved-config';

export { localClientConfig, localKafkaBrokers };

let resolved: Promise<ResolvedConfig> | undefined;

/** Resource names come from the same resolved serverless.yml the stack was provisioned from. */
export function localConfig(): Promise<ResolvedConfig> {
  resolved ??= loadResolvedConfig('local');
  return resolved;
}

export async function localNames(): Promise<ResourceNames> {
  return (await localConfig()).custom.names;
}
