/**
 * `npm run demo`: brings the local stack up and pushes simulator changes through real Kafka and
 * S3 (the foundation's stub path), then prints what happened at each stage.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { entityNames, loadResolvedConfig, REPO_ROOT, stageParam } from '../serverless/resolved-config';
import { readAllChanges, resetSimulator } from './source';
import { pushThroughKafka, writeRawObject } from './stub-path';

function parseEvents(argv: string[]): number {
  const i = argv.indexOf('--events');
  if (i < 0) return 60;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error('--events takes a whole number from 1 to 100000');
  return n;
}

function stackUp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'local/stack/cli.ts'), 'up'], { stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the local stack did not come up (exit ${code}); see the message above`))));
  });
}

async function main(): Promise<void> {
  const events = parseEvents(process.argv.slice(2));
  await stackUp();
  const config = await loadResolvedConfig('local');
  const sourceUrl = process.env.CDC_SOURCE_URL ?? 'http://127.0.0.1:8080';
  const prefix = String(stageParam(config, 'local', 'topicPrefix'));
  console.log(`\ndemo: generating ${events} changes in the source simulator (seed 42)`);
  await resetSimulator(sourceUrl, 42, events);

  const rows: string[][] = [['entity', 'source', 'kafka', 'consumed', 'raw object']];
  for (const entity of entityNames(config, 'local')) {
    const changes = await readAllChanges(sourceUrl, entity);
    const consumed = await pushThroughKafka(`${prefix}.${entity}`, changes);
    const key = await writeRawObject(config.custom.names.rawBucket, entity, consumed);
    rows.push([entity, String(changes.length), `${prefix}.${entity}`, String(consumed.length), `s3://${config.custom.names.rawBucket}/${key}`]);
    console.log(`demo: ${entity}: ${changes.length} changes → kafka → ${consumed.length} consumed → raw`);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(`\n${rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n')}`);
  const lost = rows.slice(1).filter((r) => r[1] !== r[3]);
  console.log(lost.length === 0 ? '\nreconciliation: every source change made it through Kafka to the raw bucket' : `\nreconciliation FAILED for ${lost.map((r) => r[0]).join(', ')}`);
  console.log('The stack is still running: `npm run stack:status`, and `npm run stack:down` to stop it.');
  if (lost.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error("demo failed:", error);
  process.exit(1);
});
