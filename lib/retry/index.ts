import { CdcError } from '../errors';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly retries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stop retrying when the next wait would end after this time (e.g. the Lambda's deadline). */
  readonly deadline?: () => number;
  /** Which errors are worth another try; by default those marked retriable (a CdcError's flag). */
  readonly retriable?: (error: unknown) => boolean;
  readonly onRetry?: (error: Error, attempt: number, waitMs: number) => void;
}

/** A retriable error may say how long to wait (HTTP Retry-After); the policy honours it, capped. */
export interface WaitHint {
  readonly retryAfterMs?: number;
}

/**
 * Exponential backoff with full jitter that retries only errors marked retriable, and
 * rethrows the last one when it gives up (kafkajs's retry, the idea not the code).
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const wait = policy.sleep ?? sleep;
  const retriable = policy.retriable ?? isRetriable;
  const random = policy.random ?? Math.random;
  for (let n = 0; ; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!retriable(error) || n >= policy.retries) throw error;
      const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** n);
      const hinted = (error as WaitHint).retryAfterMs;
      const waitMs = hinted !== undefined ? Math.min(hinted, policy.maxDelayMs) : Math.round(random() * backoff);
      if (policy.deadline && Date.now() + waitMs > policy.deadline()) throw error;
      policy.onRetry?.(error as Error, n + 1, waitMs);
      await wait(waitMs);
    }
  }
}

function isRetriable(error: unknown): boolean {
  return error instanceof CdcError && error.retriable;
}
