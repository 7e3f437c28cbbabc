import { ConfigError } from '../errors';
import { type Env, requireString } from './env';

/** Where the poller keeps its checkpoints and leases: DynamoDB (the default) or PostgreSQL (RDS, the original design). */
export type CheckpointStoreConfig =
  | { readonly kind: 'dynamodb'; readonly table: string }
  | {
      readonly kind: 'postgres';
      /** The table in `database`: CDC_CHECKPOINT_TABLE, as for DynamoDB (created on first use). */
      readonly table: string;
      readonly host: string;
      readonly port: number;
      readonly database: string;
      /** The Secrets Manager secret with `username` and `password` (an ARN on AWS; locally a name on moto). */
      readonly secretId: string;
      /** On every stage but local: TLS, the server's certificate verified against the trusted CAs. */
      readonly tls: boolean;
    };

export const CHECKPOINT_STORES = ['dynamodb', 'postgres'] as const;

/** PostgreSQL truncates longer identifiers (NAMEDATALEN 64): a longer table name would not be the one configured. */
const MAX_IDENTIFIER_BYTES = 63;

export function parseCheckpointStore(env: Env, stage: string): CheckpointStoreConfig {
  const kind = requireString(env, 'CDC_CHECKPOINT_STORE');
  const table = requireString(env, 'CDC_CHECKPOINT_TABLE');
  if (kind === 'dynamodb') return { kind, table };
  if (kind !== 'postgres')
    throw new ConfigError('CDC_CHECKPOINT_STORE', `must be one of ${CHECKPOINT_STORES.join(', ')}, got "${kind}"`);
  if (Buffer.byteLength(table) > MAX_IDENTIFIER_BYTES)
    throw new ConfigError(
      'CDC_CHECKPOINT_TABLE',
      `is a PostgreSQL table name with CDC_CHECKPOINT_STORE=postgres: at most ${MAX_IDENTIFIER_BYTES} bytes, got ${Buffer.byteLength(table)} ("${table}")`,
    );
  const { host, port } = hostAndPort(requireString(env, 'CDC_RDS_HOST'));
  const secretId = requireString(env, 'CDC_RDS_SECRET_ARN');
  const local = stage === 'local';
  if (!local && !/^arn:aws[\w-]*:secretsmanager:[^:]+:\d{12}:secret:.+/.test(secretId))
    throw new ConfigError(
      'CDC_RDS_SECRET_ARN',
      `must be the ARN of the Secrets Manager secret holding the database's username and password, got "${secretId}"`,
    );
  return { kind, table, host, port, database: requireString(env, 'CDC_RDS_DATABASE'), secretId, tls: !local };
}

/** `host` or `host:port` (RDS's endpoint address, its port 5432 unless given). */
function hostAndPort(raw: string): { host: string; port: number } {
  const match = /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(raw);
  const port = match?.[2] === undefined ? 5432 : Number(match[2]);
  if (match === null || port < 1 || port > 65_535)
    throw new ConfigError('CDC_RDS_HOST', `must be host or host:port (the instance's endpoint), got "${raw}"`);
  return { host: match[1]!, port };
}
