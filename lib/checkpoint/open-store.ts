import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CheckpointStoreConfig } from '../config';
import { readUsernamePassword } from '../secrets/username-password';
import { DynamoDbCheckpointStore } from './dynamodb-store';
import { CheckpointUnavailableError } from './errors';
import { PostgresConnection } from './postgres-connection';
import { PostgresCheckpointStore } from './postgres-store';
import type { CheckpointStore } from './store';

/** A checkpoint store and what closes its connections (nothing for DynamoDB). */
export interface OpenedCheckpointStore {
  readonly store: CheckpointStore;
  close(): Promise<void>;
}

/**
 * The configured adapter, with no I/O yet: PostgreSQL's credentials are read from Secrets
 * Manager on the first statement, once per container, and its table is created then if missing.
 */
export function openCheckpointStore(
  config: CheckpointStoreConfig,
  clients: { readonly dynamodb: DynamoDBClient; readonly secrets: SecretsManagerClient },
): OpenedCheckpointStore {
  if (config.kind === 'dynamodb')
    return { store: new DynamoDbCheckpointStore(clients.dynamodb, config.table), close: async () => undefined };
  // The connection reads them when it opens its pool: once per container, again only after a refused login.
  const credentials = () =>
    readUsernamePassword(
      clients.secrets,
      config.secretId,
      (problem, cause) =>
        new CheckpointUnavailableError(`${problem} (CDC_RDS_SECRET_ARN, the checkpoint database's credentials)`, {
          retriable: false,
          cause,
        }),
    );
  const connection = new PostgresConnection(config, credentials);
  return { store: new PostgresCheckpointStore(connection, config.table), close: () => connection.close() };
}
