import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, parseKafkaAuth } from '../../../lib/config';

const dir = mkdtempSync(path.join(tmpdir(), 'kafka-ca-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const CA_FILE = path.join(dir, 'ca.pem');
const NOT_PEM = path.join(dir, 'key.txt');
writeFileSync(CA_FILE, PEM);
writeFileSync(NOT_PEM, 'not a certificate');

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_cdc-AbC123';

describe('CDC_KAFKA_AUTH and friends', () => {
  it('none is plaintext, or TLS alone (MSK port 9094)', () => {
    expect(parseKafkaAuth({ CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'false' })).toEqual({
      mechanism: 'none',
      tls: false,
    });
    expect(parseKafkaAuth({ CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'true' })).toEqual({ mechanism: 'none', tls: true });
  });

  it("iam signs in the function's region, over TLS", () => {
    expect(parseKafkaAuth({ CDC_KAFKA_AUTH: 'iam', CDC_KAFKA_TLS: 'true', AWS_REGION: 'eu-west-1' })).toEqual({
      mechanism: 'iam',
      tls: true,
      region: 'eu-west-1',
    });
  });

  it("scram-sha-512 needs the cluster's AmazonMSK_ secret", () => {
    expect(
      parseKafkaAuth({ CDC_KAFKA_AUTH: 'scram-sha-512', CDC_KAFKA_SCRAM_SECRET_ARN: SECRET, CDC_KAFKA_TLS: 'true' }),
    ).toEqual({ mechanism: 'scram-sha-512', tls: true, secretArn: SECRET });
  });

  it('CDC_KAFKA_CA_FILE adds a trusted CA, read once at cold start, to any mechanism over TLS', () => {
    expect(
      parseKafkaAuth({
        CDC_KAFKA_AUTH: 'scram-sha-512',
        CDC_KAFKA_SCRAM_SECRET_ARN: SECRET,
        CDC_KAFKA_TLS: 'true',
        CDC_KAFKA_CA_FILE: CA_FILE,
      }),
    ).toEqual({ mechanism: 'scram-sha-512', tls: true, secretArn: SECRET, ca: PEM });
    expect(parseKafkaAuth({ CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'true', CDC_KAFKA_CA_FILE: CA_FILE })).toEqual({
      mechanism: 'none',
      tls: true,
      ca: PEM,
    });
  });

  it.each([
    [
      { CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'false', CDC_KAFKA_CA_FILE: CA_FILE },
      'CDC_KAFKA_CA_FILE',
      'CDC_KAFKA_TLS is false',
    ],
    [
      { CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'true', CDC_KAFKA_CA_FILE: path.join(dir, 'missing.pem') },
      'CDC_KAFKA_CA_FILE',
      'cannot read',
    ],
    [
      { CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'true', CDC_KAFKA_CA_FILE: NOT_PEM },
      'CDC_KAFKA_CA_FILE',
      'holds no PEM certificate',
    ],
    // Required: their defaults per stage are serverless.yml's params, not the code's.
    [{}, 'CDC_KAFKA_AUTH', 'is required'],
    [{ CDC_KAFKA_AUTH: 'none' }, 'CDC_KAFKA_TLS', 'is required'],
    [
      { CDC_KAFKA_AUTH: 'plain', CDC_KAFKA_TLS: 'true' },
      'CDC_KAFKA_AUTH',
      'must be one of none, iam, scram-sha-512, got "plain"',
    ],
    [{ CDC_KAFKA_AUTH: 'none', CDC_KAFKA_TLS: 'yes' }, 'CDC_KAFKA_TLS', 'must be true or false, got "yes"'],
    [
      { CDC_KAFKA_AUTH: 'iam', AWS_REGION: 'eu-west-1', CDC_KAFKA_TLS: 'false' },
      'CDC_KAFKA_TLS',
      'must be true with CDC_KAFKA_AUTH=iam',
    ],
    [{ CDC_KAFKA_AUTH: 'iam', CDC_KAFKA_TLS: 'true' }, 'AWS_REGION', 'is needed to sign MSK IAM authentication'],
    [
      { CDC_KAFKA_AUTH: 'scram-sha-512', CDC_KAFKA_TLS: 'true' },
      'CDC_KAFKA_SCRAM_SECRET_ARN',
      'is required with CDC_KAFKA_AUTH=scram-sha-512',
    ],
    [
      {
        CDC_KAFKA_AUTH: 'scram-sha-512',
        CDC_KAFKA_TLS: 'true',
        CDC_KAFKA_SCRAM_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc-creds',
      },
      'CDC_KAFKA_SCRAM_SECRET_ARN',
      'whose name starts with AmazonMSK_',
    ],
  ])('%j fails at cold start naming %s', (env, setting, problem) => {
    let error: unknown;
    try {
      parseKafkaAuth(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(setting);
    expect((error as Error).message).toContain(problem);
  });
});
