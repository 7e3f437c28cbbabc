/**
 * The PostgreSQL checkpoint store's connection against the stack's real server: the credentials
 * are read once per container (again only after a refused login, a rotated secret), and a server
 * that cannot be reached is a retriable CHECKPOINT_UNAVAILABLE naming it.
 */
import { CheckpointUnavailableError, PostgresConnection } from '../../lib/checkpoint';
import { localPostgres } from '../helpers/local-stack';

const { host, port, database, user, password } = localPostgres();
const target = { host, port, database, tls: false };
const opened: PostgresConnection[] = [];
afterAll(async () => {
  for (const c of opened) await c.close();
});

function connection(
  credentials: () => Promise<{ username: string; password: string }>,
  at = target,
  retry = { retries: 2, initialDelayMs: 10, maxDelayMs: 20 },
): PostgresConnection {
  const made = new PostgresConnection(at, credentials, retry);
  opened.push(made);
  return made;
}

describe('the PostgreSQL connection', () => {
  it('reads the credentials once for every statement of the container, concurrent ones too', async () => {
    let reads = 0;
    const db = connection(async () => {
      reads += 1;
      return { username: user, password };
    });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => db.query('SELECT $1::int AS n', [i])));
    expect(answers.map((a) => a.rows[0]!.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await db.query('SELECT 1');
    expect(reads).toBe(1);
  });

  it('refuses a wrong password with a non-retriable error naming CDC_RDS_SECRET_ARN, and reads the secret again on the next statement (a rotation)', async () => {
    const secrets = [
      { username: user, password: 'not-the-password' },
      { username: user, password },
    ];
    let reads = 0;
    const db = connection(async () => secrets[Math.min(reads++, 1)]!);
    const refused = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckpointUnavailableError);
    expect((refused as CheckpointUnavailableError).retriable).toBe(false);
    expect((refused as Error).message).toMatch(
      new RegExp(`checkpoint store PostgreSQL ${host}:${port}/${database} refused the login .*CDC_RDS_SECRET_ARN`),
    );
    expect((refused as Error).message).not.toContain('not-the-password');
    expect((await db.query('SELECT 2 AS n')).rows[0]!.n).toBe(2);
    expect(reads).toBe(2);
  });

  it('a server that does not answer: tried again, then a retriable CHECKPOINT_UNAVAILABLE naming it', async () => {
    let reads = 0;
    const db = connection(
      async () => {
        reads += 1;
        return { username: user, password };
      },
      { ...target, port: 1 },
    );
    const error = await db.query('SELECT 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointUnavailableError);
    expect(error).toMatchObject({ retriable: true, reason: 'CHECKPOINT_UNAVAILABLE' });
    expect((error as Error).message).toContain(`the checkpoint store PostgreSQL ${host}:1/${database} is unavailable`);
    expect(reads).toBe(1);
  });

  it('with TLS on (every stage but local) never falls back to plain text: a server without TLS is refused', async () => {
    const db = connection(async () => ({ username: user, password }), { ...target, tls: true });
    await expect(db.query('SELECT 1')).rejects.toThrow(/does not support SSL/);
  });
});
