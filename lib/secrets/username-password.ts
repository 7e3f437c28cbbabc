import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A Secrets Manager secret shaped as MSK's AmazonMSK_* and RDS's own secrets are: JSON with these two keys. */
export interface UsernamePassword {
  readonly username: string;
  readonly password: string;
}

/**
 * Reads and checks one such secret. `problem` turns what is wrong into the caller's own error,
 * which names its setting; the secret's value never appears in it.
 */
export async function readUsernamePassword(
  client: SecretsManagerClient,
  secretId: string,
  problem: (message: string, cause?: unknown) => Error,
): Promise<UsernamePassword> {
  let secretString: string | undefined;
  try {
    secretString = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    throw problem(`reading the secret ${secretId} failed: ${(error as Error).message}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? '');
  } catch {
    throw problem(`the secret ${secretId} is not JSON; it must be {"username": …, "password": …}`);
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '')
    throw problem(`the secret ${secretId} needs a non-empty "username" and "password"`);
  return { username, password };
}

/**
 * `read` once per container, its promise shared by concurrent callers; a failed read is not
 * kept, so the next call reads again (a secret fixed after a failure is picked up).
 */
export function readOnce<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = read();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}
