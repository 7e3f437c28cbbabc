/**
 * Reads Delta tables back through the jobs' own `cdc_jobs.dump` (PySpark + delta-spark against
 * moto's S3), so what is compared is what a Spark reader of the lake would see.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { promisify } from 'node:util';
import { sparkJars } from '../stack/install';
import { REPO_ROOT, venvBin } from '../stack/paths';
import type { Row } from './reconcile';

const run = promisify(execFile);

export interface DeltaDump {
  /** Rows per table, keyed by the table path's last segment (the entity). */
  readonly rows: Map<string, Row[]>;
  readonly versions: Map<string, number>;
}

const dumpProcess = (awsEndpointUrl: string) => ({
  cwd: path.join(REPO_ROOT, 'glue-jobs', 'src'),
  env: {
    ...process.env,
    CDC_SPARK_JARS: sparkJars().join(','),
    CDC_SPARK_MASTER: 'local[2]',
    AWS_ENDPOINT_URL: awsEndpointUrl,
  },
});

/** Every row and the current version of each table (`s3://bucket/delta/<entity>`); missing tables are empty. */
export async function dumpDeltaTables(tables: readonly string[], awsEndpointUrl: string): Promise<DeltaDump> {
  const { stdout } = await run(venvBin('python'), ['-m', 'cdc_jobs.dump', ...tables], {
    ...dumpProcess(awsEndpointUrl),
    maxBuffer: 512 * 1024 * 1024,
  });
  return dumpOf(stdout.split('\n'));
}

function dumpOf(lines: readonly string[]): DeltaDump {
  const rows = new Map<string, Row[]>();
  const versions = new Map<string, number>();
  for (const line of lines.filter((l) => l.startsWith('{"table"'))) {
    const entry = JSON.parse(line) as { table: string; row?: Row; version?: number };
    const entity = entry.table.split('/').pop()!;
    if (entry.row) {
      if (!rows.has(entity)) rows.set(entity, []);
      rows.get(entity)!.push(entry.row);
    } else versions.set(entity, entry.version!);
  }
  return { rows, versions };
}

/**
 * One Spark session (`cdc_jobs.dump --serve`) answering many dumps, one at a time: a test that
 * reads the tables after every job run pays for one JVM instead of one per read.
 */
export class DeltaReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly stderr: string[] = [];
  private pending: { lines: string[]; resolve: (dump: DeltaDump) => void; reject: (error: Error) => void } | undefined;
  private exited: Error | undefined;

  constructor(awsEndpointUrl: string) {
    this.child = spawn(venvBin('python'), ['-m', 'cdc_jobs.dump', '--serve'], dumpProcess(awsEndpointUrl));
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => {
      if (!this.pending) return;
      if (line === '{"done": true}') {
        const { lines, resolve } = this.pending;
        this.pending = undefined;
        resolve(dumpOf(lines));
      } else this.pending.lines.push(line);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`cdc_jobs.dump --serve exited (${code ?? signal}): ${this.stderr.join('').slice(-4000)}`);
      this.pending?.reject(this.exited);
      this.pending = undefined;
    });
  }

  /** Every row and the current version of each table, as `dumpDeltaTables` gives them. */
  dump(tables: readonly string[]): Promise<DeltaDump> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.pending) return Promise.reject(new Error('DeltaReader answers one dump at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { lines: [], resolve, reject };
      this.child.stdin.write(`${JSON.stringify(tables)}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    await exited;
  }
}
