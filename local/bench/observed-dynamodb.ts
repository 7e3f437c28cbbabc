import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../../stage/local-aws';

export type RequestObserver = (command: string, input: unknown) => void;

/**
 * A DynamoDB client for moto that reports every request it sends (command name and input), so a
 * benchmark can count what a core asks of DynamoDB, or replay its very items, without the core
 * knowing. The observer runs before the request goes out; retries are reported again.
 */
export function observedDynamoDb(observe: RequestObserver): DynamoDBClient {
  const client = new DynamoDBClient(localClientConfig());
  client.middlewareStack.add(
    (next, context) => async (args) => {
      observe(context.commandName ?? 'unknown', args.input);
      return next(args);
    },
    { step: 'initialize', name: 'benchObserveRequests' },
  );
  return client;
}

/** Requests per command, e.g. { QueryCommand: 2016, UpdateItemCommand: 2000, … }. */
export function countRequests(): { observe: RequestObserver; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return { observe: (command) => counts.set(command, (counts.get(command) ?? 0) + 1), counts };
}
