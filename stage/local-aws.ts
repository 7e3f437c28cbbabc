/** SDK client settings for the local stack (moto). The SDK itself also honours AWS_ENDPOINT_URL. */
export const LOCAL_REGION = 'us-east-1';

// The local tools run on Node 20 by design (Lambda runs 22); the SDK's upgrade notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function localEndpoint(): string {
  return process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000';
}

export function localClientConfig(): {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    region: LOCAL_REGION,
    endpoint: localEndpoint(),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
}

export function localKafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** The local PostgreSQL server (the checkpoint store's RDS option): its port from CDC_PG_PORT, fixed local credentials. */
export interface LocalPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export function localPostgres(): LocalPostgres {
  const raw = process.env.CDC_PG_PORT ?? '5432';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`CDC_PG_PORT must be a TCP port (1-65535), not "${raw}"`);
  return { host: '127.0.0.1', port, user: 'cdc', password: 'cdc', database: 'cdc' };
}
