import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** The sweep event, with its place in a chain of sweeps (0 or absent: started by the schedule). */
export interface SweepEvent {
  readonly sweep: true;
  readonly chain?: number;
}

/**
 * Starts the next sweep of a chain as an asynchronous invocation of the same function, so a
 * backlog keeps draining past one invocation's timeout. The chain is bounded (`max` links per
 * scheduled sweep): the schedule starts a new chain each tick, so at most `max + 1` sweeps run
 * at once, and the per-item claims keep them off each other's keys.
 */
export function lambdaSweepChain(
  lambda: LambdaClient,
  functionName: string,
  event: SweepEvent,
  max: number,
): (() => Promise<void>) | undefined {
  const link = event.chain ?? 0;
  if (link >= max) return undefined;
  const next: SweepEvent = { sweep: true, chain: link + 1 };
  return async () => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(next)),
      }),
    );
  };
}
