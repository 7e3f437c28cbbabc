/**
 * Freshness with the supervised stream: the time from a change appearing at the source to its
 * row in Delta. The demo is run as it is (`--lake streaming`, on the running stack, a Kafka
 * outage included), in a process of its own, and its report (.stack/reports/demo.json) gives p50
 * and p95 over the run's changes. The baseline is the stream's trigger interval: no change can be
 * fresher than one micro-batch wait on average. Target (issue 17): p95 under 2 minutes at 30 s.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../stack/paths';
import { DEMO_REPORT, type DemoReport } from '../demo/main';
import { printRow } from './measure';
import type { BenchRow } from './results-table';

const EVENTS = 1000;
const OUTAGE_SECONDS = 10;
const P95_TARGET_SECONDS = 120;

export async function benchFreshness(): Promise<BenchRow[]> {
  console.log(
    `\nfreshness: npm run demo -- --lake streaming --events ${EVENTS} --outage-seconds ${OUTAGE_SECONDS} (its log: .stack/logs/demo.log)`,
  );
  rmSync(DEMO_REPORT, { force: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join('local', 'demo', 'main.ts'),
        '--lake',
        'streaming',
        '--events',
        String(EVENTS),
        '--outage-seconds',
        String(OUTAGE_SECONDS),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (!existsSync(DEMO_REPORT)) throw new Error(`freshness: the demo ended (exit ${code}) without a report`);
  const report = JSON.parse(readFileSync(DEMO_REPORT, 'utf8')) as DemoReport;
  if (!report.reconciled) throw new Error('freshness: the streaming demo did not reconcile; see .stack/logs/demo.log');
  if (report.freshness === undefined || report.freshness === null || report.triggerSeconds === undefined)
    throw new Error('freshness: the demo measured none (no change of the run was in a micro-batch)');
  const baseline = { name: `the stream's trigger interval`, figure: report.triggerSeconds };
  const rows: BenchRow[] = [
    { stage: 'freshness source → Delta, p50 (stream)', figure: report.freshness.p50Seconds, unit: 's', baseline },
    {
      stage: 'freshness source → Delta, p95 (stream)',
      figure: report.freshness.p95Seconds,
      unit: 's',
      baseline,
      target: { kind: 'at most', value: P95_TARGET_SECONDS },
    },
  ];
  for (const row of rows) printRow(row, `${report.freshness.changes} changes, demo ${report.elapsed}`);
  return rows;
}
