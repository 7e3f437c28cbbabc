import type { Pool } from 'pg';
import { type RetryPolicy, withRetry } from '../retry';
import type { UsernamePassword } from '../secrets/username-password';
import { CheckpointUnavailableError } from './errors';
import type { SqlClient } from './postgres-store';

/** The server the checkpoints live on (RDS/Aurora PostgreSQL on AWS, the local stack's server locally). */
export interface PostgresTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** TLS with the server's certificate checked against the trusted CAs (and its name against `host`). */
  readonly tls: boolean;
}

/**
 * A restarting server (or a failover) refuses connections for seconds: statements are tried
 * again for about 20 s before the run gives up. Every statement of the store is conditional,
 * so one that reached the server before its connection broke is safe to send again.
 */
export const POSTGRES_RETRY: RetryPolicy = { retries: 8, initialDelayMs: 250, maxDelayMs: 4000 };

/** Connection-level SQLSTATEs (class 08, admin shutdown, starting up) and socket errors: worth another try. */
const TRANSIENT = /^(08|57P0[123]|53300)/;
const TRANSIENT_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);
/** invalid_password, invalid_authorization_specification: the secret is wrong (or was rotated since it was read). */
const REFUSED_LOGIN = new Set(['28P01', '28000']);

/**
 * A `SqlClient` on one small pool (a poller runs one statement at a time), opened on the first
 * statement with the credentials `credentials` reads: once per container, again only after the
 * server refused them (a rotated secret).
 */
export class PostgresConnection implements SqlClient {
  private pool: Promise<Pool> | undefined;

  constructor(
    private readonly target: PostgresTarget,
    private readonly credentials: () => Promise<UsernamePassword>,
    private readonly retry: RetryPolicy = POSTGRES_RETRY,
  ) {}

  query(text: string, values?: unknown[]): ReturnType<SqlClient['query']> {
    return withRetry(async () => {
      const pool = await this.open();
      try {
        return await pool.query(text, values);
      } catch (error) {
        throw this.explain(error);
      }
    }, this.retry);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool?.catch(() => undefined))?.end();
  }

  private open(): Promise<Pool> {
    this.pool ??= this.credentials().then(
      ({ username, password }) => {
        // Loaded here, on the first statement, not at cold start: with the default DynamoDB store
        // the poller never needs pg, and its load was a share of every cold start (npm run bench).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Pool } = require('pg') as typeof import('pg');
        const pool = new Pool({
          host: this.target.host,
          port: this.target.port,
          database: this.target.database,
          user: username,
          password,
          ssl: this.target.tls ? { rejectUnauthorized: true, servername: this.target.host } : false,
          max: 2,
          connectionTimeoutMillis: 5000,
          query_timeout: 15_000,
          idleTimeoutMillis: 60_000,
          keepAlive: true,
          // `sls invoke local` waits for the event loop to empty: idle connections must not hold it.
          allowExitOnIdle: true,
          application_name: 'cdc-pipeline',
        });
        // An idle connection the server closed (a restart, RDS's idle timeout): the pool drops it, the next statement opens another.
        pool.on('error', () => undefined);
        return pool;
      },
      (error: unknown) => {
        this.pool = undefined;
        throw error;
      },
    );
    return this.pool;
  }

  private explain(error: unknown): Error {
    const code = String((error as { code?: unknown }).code ?? '');
    const message = (error as Error).message ?? String(error);
    const where = `PostgreSQL ${this.target.host}:${this.target.port}/${this.target.database}`;
    if (REFUSED_LOGIN.has(code)) {
      // Read the secret again on the next attempt: it may have been rotated.
      void this.close();
      return new CheckpointUnavailableError(
        `the checkpoint store ${where} refused the login from the secret CDC_RDS_SECRET_ARN names: ${message}`,
        { retriable: false, cause: error },
      );
    }
    if (
      TRANSIENT.test(code) ||
      TRANSIENT_SOCKET.has(code) ||
      /Connection terminated|timeout|ECONNREFUSED/i.test(message)
    )
      return new CheckpointUnavailableError(`the checkpoint store ${where} is unavailable: ${message}`, {
        retriable: true,
        cause: error,
      });
    return error instanceof Error ? error : new Error(message);
  }
}
