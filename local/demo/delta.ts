/**
 * Reads Delta tables back through the jobs' own `cdc_jobs.dump` (PySpark + delta-spark against
 * moto's S3), so what is compared is what a Spark reader of the lake would see.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
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

/** Every row and the current version of each table (`s3://bucket/delta/<entity>`); missing tables are empty. */
export async function dumpDeltaTables(tables: readonly string[], awsEndpointUrl: string): Promise<DeltaDump> {
  const { stdout } = await run(venvBin('python'), ['-m', 'cdc_jobs.dump', ...tables], {
    cwd: path.join(REPO_ROOT, 'glue-jobs', 'src'), maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, CDC_SPARK_JARS: sparkJars().join(','), CDC_SPARK_MASTER: 'local[2]', AWS_ENDPOINT_URL: awsEndpointUrl },
  });
  const rows = new Map<string, Row[]>();
  const versions = new Map<string, number>();
  for (const line of stdout.split('\n').filter((l) => l.startsWith('{"table"'))) {
    const entry = JSON.parse(line) as { table: string; row?: Row; version?: number };
    const entity = entry.table.split('/').pop()!;
    if (entry.row) {
      if (!rows.has(entity)) rows.set(entity, []);
      rows.get(entity)!.push(entry.row);
    } else versions.set(entity, entry.version!);
  }
  return { rows, versions };
}
