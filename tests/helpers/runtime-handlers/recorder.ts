/**
 * A test handler for the local runtime: appends each invocation (event, context facts) to
 * RECORD_FILE and throws on the first FAIL_FIRST invocations (counted in the same file).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export async function handler(
  event: unknown,
  context: { functionName: string; awsRequestId: string; getRemainingTimeInMillis: () => number },
): Promise<unknown> {
  const file = String(process.env.RECORD_FILE);
  const previous = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  appendFileSync(
    file,
    `${JSON.stringify({ event, functionName: context.functionName, requestId: context.awsRequestId, remainingMs: context.getRemainingTimeInMillis(), marker: process.env.MARKER })}\n`,
  );
  if (previous < Number(process.env.FAIL_FIRST ?? 0)) throw new Error(`failing invocation ${previous + 1} on purpose`);
  if (process.env.SLEEP_MS) await new Promise((r) => setTimeout(r, Number(process.env.SLEEP_MS)));
  // REPORT_FAILURE_AT=n: the first invocation reports its n-th stream record (0-based) as failed.
  const records = (event as { Records?: { dynamodb?: { SequenceNumber?: string } }[] }).Records;
  if (process.env.REPORT_FAILURE_AT && previous === 0 && records) {
    return {
      batchItemFailures: [{ itemIdentifier: records[Number(process.env.REPORT_FAILURE_AT)]?.dynamodb?.SequenceNumber }],
    };
  }
  return { ok: true };
}
