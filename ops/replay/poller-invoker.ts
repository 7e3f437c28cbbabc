import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { REPO_ROOT } from '../../stage/resolved-config';

/** Runs one invocation of the stage's poller function with an event, and returns what it returned. */
export interface PollerInvoker {
  invoke(event: Record<string, unknown>): Promise<unknown>;
}

/** The deployed function (RequestResponse): it reaches the source, MSK and the stores from its VPC. */
export class LambdaPollerInvoker implements PollerInvoker {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async invoke(event: Record<string, unknown>): Promise<unknown> {
    const answer = await this.lambda.send(
      new InvokeCommand({ FunctionName: this.functionName, Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const payload = answer.Payload === undefined ? '' : Buffer.from(answer.Payload).toString('utf8');
    if (answer.FunctionError !== undefined)
      throw new Error(`${this.functionName} failed (${answer.FunctionError}): ${payload.slice(0, 2000)}`);
    return payload === '' ? undefined : JSON.parse(payload);
  }
}

const run = promisify(execFile);

/** Stage local: `sls invoke local -f poller --stage local`, as a user runs it, against the local stack. */
export class SlsInvokeLocalPoller implements PollerInvoker {
  async invoke(event: Record<string, unknown>): Promise<unknown> {
    const sls = path.join(REPO_ROOT, 'node_modules', '.bin', 'sls');
    const args = ['invoke', 'local', '-f', 'poller', '--stage', 'local', '--data', JSON.stringify(event)];
    const child = run(sls, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 });
    child.child.stdin?.end();
    const { stdout } = await child.catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`sls invoke local -f poller failed: ${lastJson(error.stdout ?? '') ?? error.message}`);
    });
    const result = lastJson(stdout);
    if (result === undefined) throw new Error(`sls invoke local -f poller printed no result:\n${stdout.slice(-2000)}`);
    return JSON.parse(result);
  }
}

/** The handler's result: the last JSON object sls prints, pretty-printed from a line `{` to a line `}`. */
function lastJson(stdout: string): string | undefined {
  const lines = stdout.split('\n');
  const end = lines.lastIndexOf('}');
  const start = end === -1 ? -1 : lines.lastIndexOf('{', end);
  return start === -1 ? undefined : lines.slice(start, end + 1).join('\n');
}
