/**
 * The whole test suite, as the README's test command and CI run it: static checks, unit
 * tests, then the local stack up, integration tests (Jest) and the Spark job tests (pytest),
 * and the stack down again if this run brought it up.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../stage/resolved-config';

interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  passed: number;
  failed: number;
}

const REPORTS = path.join(REPO_ROOT, '.stack', 'reports');

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', () => resolve(127));
  });
}

const bin = (name: string): string => path.join(REPO_ROOT, 'node_modules', '.bin', name);
const tsx = (script: string, ...args: string[]): [string, string[]] => [bin('tsx'), [path.join(REPO_ROOT, script), ...args]];

function jestCounts(report: string): { passed: number; failed: number } {
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number };
    return { passed: json.numPassedTests, failed: json.numFailedTests };
  } catch {
    return { passed: 0, failed: 0 };
  }
}

function junitCounts(report: string): { passed: number; failed: number } {
  try {
    const xml = readFileSync(report, 'utf8');
    const attr = (name: string): number => Number(new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
    const failed = attr('failures') + attr('errors');
    return { passed: attr('tests') - failed - attr('skipped'), failed };
  } catch {
    return { passed: 0, failed: 0 };
  }
}

async function step(name: string, [command, args]: [string, string[]], counts?: () => { passed: number; failed: number }): Promise<StepResult> {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const code = await run(command, args);
  const seconds = (Date.now() - started) / 1000;
  const { passed, failed } = counts?.() ?? { passed: 0, failed: 0 };
  console.log(`${code === 0 ? '✔' : '✘'} ${name} (${seconds.toFixed(1)} s)`);
  return { name, ok: code === 0, seconds, passed, failed };
}

async function main(): Promise<number> {
  mkdirSync(REPORTS, { recursive: true });
  const results: StepResult[] = [];
  const report = (name: string): string => path.join(REPORTS, name);
  results.push(await step('typecheck', [bin('tsc'), ['--noEmit', '-p', REPO_ROOT]]));
  results.push(await step('lint', [bin('eslint'), [REPO_ROOT]]));
  results.push(await step('unit tests', [bin('jest'), ['--selectProjects', 'unit', '--json', `--outputFile=${report('unit.json')}`]], () => jestCounts(report('unit.json'))));

  const wasUp = (await run(...tsx('local/stack/cli.ts', 'status', '--quiet'))) === 0;
  const up = await step('local stack up', tsx('local/stack/cli.ts', 'up'));
  results.push(up);
  if (up.ok) {
    results.push(await step('integration tests', [bin('jest'), ['--selectProjects', 'integration', '--runInBand', '--json', `--outputFile=${report('integration.json')}`]], () => jestCounts(report('integration.json'))));
    results.push(await step('spark job tests (pytest)', tsx('local/stack/pytest-cli.ts', `--junitxml=${report('glue-jobs.xml')}`), () => junitCounts(report('glue-jobs.xml'))));
  }
  if (!wasUp) results.push(await step('local stack down', tsx('local/stack/cli.ts', 'down')));

  console.log('\nsummary');
  for (const r of results) console.log(`  ${r.ok ? '✔' : '✘'} ${r.name.padEnd(28)} ${r.seconds.toFixed(1).padStart(6)} s${r.passed + r.failed > 0 ? `  ${r.passed} passed, ${r.failed} failed` : ''}`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0) + results.filter((r) => !r.ok && r.failed === 0).length;
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
  return failed === 0 && results.every((r) => r.ok) ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
