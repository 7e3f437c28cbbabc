import {
  KafkaAuthError,
  kafkaSecurity,
  awsSaslCredentialSource,
  type SaslCredentialSource,
} from '../../../lib/publish';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_cdc-AbC123';

function fakeSource(): SaslCredentialSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    iamToken: async (region) => {
      calls.push(`iam ${region}`);
      return `token-for-${region}-${calls.length}`;
    },
    scramCredentials: async (arn) => {
      calls.push(`scram ${arn}`);
      return { username: 'cdc', password: 'pw' };
    },
  };
}

describe('kafkaSecurity', () => {
  it('none: TLS as configured, no SASL, no credentials read', async () => {
    const source = fakeSource();
    expect(await kafkaSecurity({ mechanism: 'none', tls: false }, source)).toEqual({ ssl: false });
    expect(await kafkaSecurity({ mechanism: 'none', tls: true }, source)).toEqual({ ssl: true });
    expect(source.calls).toEqual([]);
  });

  it('iam: OAUTHBEARER over TLS, a fresh signed token on every (re)connection', async () => {
    const source = fakeSource();
    const { ssl, sasl } = await kafkaSecurity({ mechanism: 'iam', tls: true, region: 'eu-west-1' }, source);
    expect(ssl).toBe(true);
    expect(sasl?.mechanism).toBe('oauthbearer');
    const provider = (sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'token-for-eu-west-1-1' });
    expect(await provider()).toEqual({ value: 'token-for-eu-west-1-2' });
  });

  it("scram-sha-512: the secret's username and password over TLS", async () => {
    const source = fakeSource();
    expect(await kafkaSecurity({ mechanism: 'scram-sha-512', tls: true, secretArn: SECRET }, source)).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'cdc', password: 'pw' },
    });
    expect(source.calls).toEqual([`scram ${SECRET}`]);
  });

  it("a configured CA is trusted beside Node's own, for every mechanism over TLS, and never for plaintext", async () => {
    const source = fakeSource();
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect((await kafkaSecurity({ mechanism: 'scram-sha-512', tls: true, secretArn: SECRET, ca }, source)).ssl).toEqual(
      {
        ca: [ca],
      },
    );
    expect((await kafkaSecurity({ mechanism: 'iam', tls: true, region: 'eu-west-1', ca }, source)).ssl).toEqual({
      ca: [ca],
    });
    expect(await kafkaSecurity({ mechanism: 'none', tls: true, ca }, source)).toEqual({ ssl: { ca: [ca] } });
    expect(await kafkaSecurity({ mechanism: 'none', tls: false }, source)).toEqual({ ssl: false });
  });
});

describe('the SCRAM secret from Secrets Manager', () => {
  const client = (answers: (string | Error)[]): { client: () => SecretsManagerClient; sent: number } => {
    const state = {
      sent: 0,
      client: (): SecretsManagerClient =>
        ({
          send: async () => {
            const answer = answers[state.sent++];
            if (answer instanceof Error) throw answer;
            return { SecretString: answer };
          },
        }) as unknown as SecretsManagerClient,
    };
    return state;
  };

  it('is read once per container', async () => {
    const secrets = client([JSON.stringify({ username: 'cdc', password: 'pw' })]);
    const source = awsSaslCredentialSource(secrets.client);
    await source.scramCredentials(SECRET);
    expect(await source.scramCredentials(SECRET)).toEqual({ username: 'cdc', password: 'pw' });
    expect(secrets.sent).toBe(1);
  });

  it('a failed read is tried again on the next connection, not cached', async () => {
    const secrets = client([new Error('throttled'), JSON.stringify({ username: 'cdc', password: 'pw' })]);
    const source = awsSaslCredentialSource(secrets.client);
    await expect(source.scramCredentials(SECRET)).rejects.toThrow('throttled');
    expect(await source.scramCredentials(SECRET)).toEqual({ username: 'cdc', password: 'pw' });
  });

  it.each([
    ['not json', /is not JSON; it must be \{"username": …, "password": …\}/],
    [JSON.stringify({ username: 'cdc' }), /needs a non-empty "username" and "password"/],
    [JSON.stringify({ username: '', password: 'x' }), /needs a non-empty "username" and "password"/],
  ])(
    'refuses %s with an error naming CDC_KAFKA_SCRAM_SECRET_ARN, retriable (the events are parked, not lost)',
    async (secret, message) => {
      const source = awsSaslCredentialSource(client([secret]).client);
      const error = await source.scramCredentials(SECRET).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaAuthError);
      expect((error as KafkaAuthError).retriable).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain('CDC_KAFKA_SCRAM_SECRET_ARN');
    },
  );
});

describe('a producer that cannot get its credentials', () => {
  it('fails the publish as Kafka unavailable, so the poller and retry function park the events', async () => {
    const { KafkaPublisher, KafkaUnavailableError } = await import('../../../lib/publish');
    const publisher = new KafkaPublisher({
      brokers: ['127.0.0.1:9'],
      clientId: 'unit',
      auth: { mechanism: 'scram-sha-512', tls: true, secretArn: SECRET },
      credentials: {
        iamToken: async () => 'unused',
        scramCredentials: async () => {
          throw new KafkaAuthError('the SCRAM secret is gone');
        },
      },
    });
    const error = await publisher
      .publish('cdc.customer', [{ key: 'c-1', value: Buffer.from('x'), headers: {} }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as Error).message).toContain('the SCRAM secret is gone');
    await publisher.close();
  });
});
