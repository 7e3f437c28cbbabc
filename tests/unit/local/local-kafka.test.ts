import path from 'node:path';
import { localKafkaSettings, scramSecretName } from '../../../stage/local-kafka';

describe("stage local's Kafka listener (CDC_KAFKA_AUTH)", () => {
  it('is the plaintext broker of KAFKA_BROKERS by default, without TLS, CA or secret', () => {
    expect(localKafkaSettings({ KAFKA_BROKERS: '127.0.0.1:19092' })).toEqual({
      auth: 'none',
      tls: false,
      brokers: ['127.0.0.1:19092'],
      caFile: null,
      scramSecretArn: null,
    });
  });

  it("with scram-sha-512: the SASL_SSL listener as localhost at the plaintext port + 4, the stack's CA, the AmazonMSK_ secret", () => {
    const settings = localKafkaSettings(
      { KAFKA_BROKERS: '127.0.0.1:19092', CDC_KAFKA_AUTH: 'scram-sha-512' },
      'p-local',
    );
    expect(settings).toMatchObject({ auth: 'scram-sha-512', tls: true, brokers: ['localhost:19096'] });
    expect(path.basename(String(settings.caFile))).toBe('ca.pem');
    expect(settings.scramSecretArn).toBe('arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_p-local');
    expect(scramSecretName('p-local')).toBe('AmazonMSK_p-local');
  });

  it('names the setting and the two values it takes for anything else', () => {
    expect(() => localKafkaSettings({ CDC_KAFKA_AUTH: 'iam' })).toThrow(
      /CDC_KAFKA_AUTH on stage local must be none .* or scram-sha-512 .*got "iam"/,
    );
  });
});
