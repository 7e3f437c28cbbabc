import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { localClientConfig, localPostgres } from '../../stage/local-aws';
import { kafkaTlsSecrets } from '../stack/kafka-tls';

/**
 * The secret the poller reads with checkpointStore postgres (CDC_RDS_SECRET_ARN, a name on stage
 * local), shaped as RDS's own, holding the local server's credentials. On AWS it already exists
 * (RDS manages it); locally it is created, or its value set again, on every provisioning.
 */
export async function provisionRdsSecret(name: string): Promise<string> {
  const { user, password } = localPostgres();
  return putSecret(name, { engine: 'postgres', username: user, password });
}

/**
 * MSK's SCRAM secret for the stack's SASL_SSL listener (`AmazonMSK_{namePrefix}`), holding the
 * SCRAM user Kafka was given. On AWS the user makes it and associates it with the cluster.
 */
export async function provisionMskScramSecret(name: string): Promise<string> {
  const { username, password } = kafkaTlsSecrets();
  return putSecret(name, { username, password });
}

async function putSecret(name: string, value: Record<string, string>): Promise<string> {
  const SecretString = JSON.stringify(value);
  const client = new SecretsManagerClient(localClientConfig());
  try {
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString }));
    return String(created.ARN);
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    return String((await client.send(new PutSecretValueCommand({ SecretId: name, SecretString }))).ARN);
  } finally {
    client.destroy();
  }
}
