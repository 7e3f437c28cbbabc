import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors';
import { TLS_DIR } from '../../stage/local-kafka';

const run = promisify(execFile);
export { TLS_DIR };
export const CA_PEM = path.join(TLS_DIR, 'ca.pem');
export const BROKER_KEYSTORE = path.join(TLS_DIR, 'broker.p12');
const CA_KEYSTORE = path.join(TLS_DIR, 'ca.p12');
const SECRETS = path.join(TLS_DIR, 'secrets.json');

/** What the stack made once: the keystores' password and the SCRAM user (the AmazonMSK_* secret's value). */
export interface KafkaTlsSecrets {
  readonly storePassword: string;
  readonly username: string;
  readonly password: string;
}

/** The stack's SCRAM user and keystore password, made by ensureKafkaTls. */
export function kafkaTlsSecrets(): KafkaTlsSecrets {
  try {
    return JSON.parse(readFileSync(SECRETS, 'utf8')) as KafkaTlsSecrets;
  } catch (error) {
    throw new StackError(
      `kafka: ${SECRETS} is missing or unreadable (${(error as Error).message}); \`npm run stack:up\` makes it`,
    );
  }
}

async function keytool(args: string[]): Promise<void> {
  try {
    await run('keytool', args);
  } catch (error) {
    throw new StackError(
      `kafka: keytool ${args[0]} failed:\n${(error as { stderr?: string; stdout?: string }).stderr || (error as { stdout?: string }).stdout || String(error)}`,
    );
  }
}

/**
 * A self-signed CA and a broker certificate for `localhost` signed by it (keytool, from the JDK),
 * made once into .stack/kafka/tls/. Clients trust ca.pem; the certificate names `localhost` only,
 * so a client that reaches the broker as 127.0.0.1 must refuse it.
 */
export async function ensureKafkaTls(log: (m: string) => void): Promise<void> {
  if (existsSync(SECRETS) && existsSync(CA_PEM) && existsSync(BROKER_KEYSTORE)) return;
  rmSync(TLS_DIR, { recursive: true, force: true });
  mkdirSync(TLS_DIR, { recursive: true, mode: 0o700 });
  const secrets: KafkaTlsSecrets = {
    storePassword: randomBytes(18).toString('base64url'),
    username: 'cdc-pipeline-local',
    password: randomBytes(18).toString('base64url'),
  };
  const store = (file: string) => ['-keystore', file, '-storetype', 'PKCS12', '-storepass', secrets.storePassword];
  const key = ['-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650'];
  const csr = path.join(TLS_DIR, 'broker.csr');
  const brokerPem = path.join(TLS_DIR, 'broker.pem');
  await keytool([
    '-genkeypair',
    '-alias',
    'ca',
    '-dname',
    'CN=cdc-pipeline local CA',
    ...key,
    '-ext',
    'bc:c',
    ...store(CA_KEYSTORE),
  ]);
  await keytool(['-exportcert', '-rfc', '-alias', 'ca', '-file', CA_PEM, ...store(CA_KEYSTORE)]);
  await keytool(['-genkeypair', '-alias', 'broker', '-dname', 'CN=localhost', ...key, ...store(BROKER_KEYSTORE)]);
  await keytool(['-certreq', '-alias', 'broker', '-file', csr, ...store(BROKER_KEYSTORE)]);
  await keytool([
    '-gencert',
    '-alias',
    'ca',
    '-infile',
    csr,
    '-outfile',
    brokerPem,
    '-rfc',
    '-validity',
    '3650',
    '-ext',
    'san=dns:localhost',
    '-ext',
    'ku:c=digitalSignature,keyEncipherment',
    '-ext',
    'eku=serverAuth',
    ...store(CA_KEYSTORE),
  ]);
  await keytool(['-importcert', '-noprompt', '-alias', 'ca', '-file', CA_PEM, ...store(BROKER_KEYSTORE)]);
  await keytool(['-importcert', '-noprompt', '-alias', 'broker', '-file', brokerPem, ...store(BROKER_KEYSTORE)]);
  writeFileSync(SECRETS, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  log(`kafka: made a local CA and a broker certificate for localhost in ${TLS_DIR}`);
}
