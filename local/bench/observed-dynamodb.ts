import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../../stage/local-aws';

export type RequestObserver = (command: string, input: unknown) => void;
/** Told how long each request took, retries included, once it settled. */
export type RequestTimer = (command: string, millis: number) => void;

/**
 * A DynamoDB client for moto that reports every request it sends (command name and input), so a
 * benchmark can count what a core asks of DynamoDB, or replay its very items, without the core
 * knowing. The observer runs before the request goes out; retries are reported again.
 */
export function observedDynamoDb(observe: RequestObserver, settled?: RequestTimer): DynamoDBClient {
  const client = new DynamoDBClient(localClientConfig());
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      observe(command, args.input);
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        settled?.(command, performance.now() - started);
      }
    },
    { step: 'initialize', name: 'benchObserveRequests' },
  );
  return client;
}

/** Requests per command, e.g. { QueryCommand: 2016, UpdateItemCommand: 2000, … }, and the milliseconds they took in all. */
export function countRequests(): {
  observe: RequestObserver;
  settled: RequestTimer;
  counts: Map<string, number>;
  millis: Map<string, number>;
} {
  const counts = new Map<string, number>();
  const millis = new Map<string, number>();
  return {
    observe: (command) => counts.set(command, (counts.get(command) ?? 0) + 1),
    settled: (command, ms) => millis.set(command, (millis.get(command) ?? 0) + ms),
    counts,
    millis,
  };
}
