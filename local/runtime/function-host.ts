import { appendMetricRecord, LOCAL_METRICS_FILE, metricRecordOf } from '../../stage/local-metrics';
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FunctionDefinition } from './definitions';

export class InvocationError extends Error {
  constructor(
    readonly functionName: string,
    message: string,
    readonly errorName = 'Error',
  ) {
    super(message);
    this.name = 'InvocationError';
  }
}

export interface HostStats {
  invocations: number;
  errors: number;
  coldStarts: number;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs one function's invocations in its own worker process (its "container"): the function's
 * environment only, a cold start on first use and after a crash or timeout, one invocation at
 * a time. A timeout kills the worker, as Lambda ends a timed-out environment.
 */
export class FunctionHost {
  readonly stats: HostStats = { invocations: 0, errors: 0, coldStarts: 0 };
  private worker: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set by close(): invocations still queued then fail instead of starting a new container. */
  private closed = false;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
    /** Where its EMF lines go (stage local's CloudWatch: see stage/local-metrics.ts). */
    private readonly metricsFile: string = LOCAL_METRICS_FILE,
  ) {}

  /** Invocations are queued: the runtime never runs two at once in one container. */
  invoke(event: unknown): Promise<unknown> {
    const run = this.queue.then(
      () => this.invokeNow(event),
      () => this.invokeNow(event),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private invokeNow(event: unknown): Promise<unknown> {
    if (this.closed)
      return Promise.reject(
        new InvocationError(this.definition.name, 'the function host is closed; the invocation did not start'),
      );
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const requestId = randomUUID();
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    this.stats.invocations += 1;
    this.log(`[${this.definition.name}] START RequestId: ${requestId}`);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.stopWorker();
        reject(
          new InvocationError(
            this.definition.name,
            `Task timed out after ${this.definition.timeoutSeconds.toFixed(2)} seconds`,
            'TimeoutError',
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.send({ type: 'invoke', id, event, requestId, deadline: Date.now() + timeoutMs });
    }).then(
      (result) => {
        this.log(`[${this.definition.name}] END RequestId: ${requestId}`);
        return result;
      },
      (error: Error) => {
        this.stats.errors += 1;
        this.log(`[${this.definition.name}] END RequestId: ${requestId} ERROR ${error.message}`);
        throw error;
      },
    );
  }

  private ensureWorker(): ChildProcess {
    if (this.worker && this.worker.exitCode === null && this.worker.signalCode === null) return this.worker;
    this.stats.coldStarts += 1;
    const d = this.definition;
    const worker = fork(
      path.join(__dirname, 'worker.ts'),
      [d.handlerFile, d.handlerExport, d.functionName, String(d.memorySize)],
      {
        // The heap is capped below the function's memorySize, so what would not fit in the Lambda fails here too.
        execArgv: ['--import', 'tsx', `--max-old-space-size=${Math.floor(d.memorySize * 0.85)}`],
        env: {
          ...process.env,
          ...stringEnvironment(d),
          AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
          AWS_LAMBDA_FUNCTION_NAME: d.functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(d.memorySize),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    const prefix = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        const metric = metricRecordOf(line);
        if (metric !== undefined) appendMetricRecord(metric, this.metricsFile);
        this.log(`[${d.name}] ${line}`);
      }
    };
    worker.stdout?.on('data', prefix);
    worker.stderr?.on('data', prefix);
    worker.on(
      'message',
      (message: {
        type: string;
        id: number;
        ok: boolean;
        result?: unknown;
        error?: { name: string; message: string };
      }) => {
        if (message.type !== 'result') return;
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.result);
        else
          pending.reject(new InvocationError(d.name, message.error?.message ?? 'unknown error', message.error?.name));
      },
    );
    worker.on('exit', (code, signal) => {
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer);
        pending.reject(
          new InvocationError(
            d.name,
            `the function's process exited (${signal ?? `code ${code}`}) during the invocation`,
            'Runtime.ExitError',
          ),
        );
        this.pending.delete(id);
      }
    });
    this.worker = worker;
    return worker;
  }

  /**
   * Fault injection: the container dies now (SIGKILL), as a Lambda environment can; an invocation
   * in flight fails with Runtime.ExitError and its trigger retries it. False when none was running.
   */
  crash(): boolean {
    if (this.pending.size === 0 || !this.worker) return false;
    this.stopWorker();
    return true;
  }

  private stopWorker(): void {
    this.worker?.kill('SIGKILL');
    this.worker = undefined;
  }

  /**
   * Ends the container for good; an invocation still running is abandoned, and the ones queued
   * behind it never start (their callers get an error), so no container outlives the host.
   */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (!worker || worker.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.kill('SIGTERM');
      setTimeout(() => worker.kill('SIGKILL'), 3000).unref();
    });
  }
}

function stringEnvironment(d: FunctionDefinition): Record<string, string> {
  return Object.fromEntries(
    Object.entries(d.environment).map(([name, value]) => {
      if (typeof value === 'object')
        throw new InvocationError(
          d.name,
          `environment ${name} is a CloudFormation value the local runtime did not resolve: ${JSON.stringify(value)}`,
        );
      return [name, String(value)];
    }),
  );
}
