/**
 * The whole test suite, as the README's test command and CI run it. Independent steps run side
 * by side, in two lanes:
 *
 *   checks:  typecheck, lint, format check, unit tests   │  the local stack up
 *   then:    the integration tests whose resources are private, in parallel
 *   then:    the stack-wide integration tests, in band        │  the Spark job tests (pytest)
 *
 * and the stack down again if this run brought it up. "Stack-wide" files stop and start the
 * shared Kafka (an outage), so nothing else may use the stack meanwhile; every other integration
 * file works on its own isolated pipeline copy (topics, tables, bucket), and the shared-stack run
 * sets `CDC_TEST_SHARED_STACK=1`, under which stopping a service throws. Each step's output goes
 * to `.stack/reports/<step>.log` and is printed when the step ends, so lanes do not interleave.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../stage/resolved-config';

/**
 * Integration files that stop or start a shared service (Kafka), in the order they run, one at a
 * time, and nothing else: the tests of a file that need no outage belong in another file, which
 * runs in the parallel lane. The outage files use no Spark and go first, so pytest beside them
 * meets the demo's spark-submit as late as possible.
 */
export const STACK_WIDE_INTEGRATION_FILES: readonly string[] = [
  'tests/integration/retry-kafka-outage.test.ts',
  'tests/integration/poller-kafka-outage.test.ts',
  'tests/integration/demo.test.ts',
];

interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  passed: number;
  failed: number;
}

type Counts = { passed: number; failed: number };

const REPORTS = path.join(REPO_ROOT, '.stack', 'reports');
const report = (name: string): string => path.join(REPORTS, name);

function run(command: string, args: string[], logTo?: string, env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const out = logTo ? createWriteStream(logTo) : undefined;
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', out ? 'pipe' : 'ignore', out ? 'pipe' : 'ignore'],
      env: { ...process.env, ...env },
    });
    child.stdout?.pipe(out!, { end: false });
    child.stderr?.pipe(out!, { end: false });
    const done = (code: number): void => {
      if (out) out.end(() => resolve(code));
      else resolve(code);
    };
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.on('error', () => done(127));
  });
}

const bin = (name: string): string => path.join(REPO_ROOT, 'node_modules', '.bin', name);
const tsx = (script: string, ...args: string[]): [string, string[]] => [
  bin('tsx'),
  [path.join(REPO_ROOT, script), ...args],
];

function jestCounts(file: string): () => Counts {
  return () => {
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number };
      return { passed: json.numPassedTests, failed: json.numFailedTests };
    } catch {
      return { passed: 0, failed: 0 };
    }
  };
}

function junitCounts(file: string): () => Counts {
  return () => {
    try {
      const xml = readFileSync(file, 'utf8');
      const attr = (name: string): number =>
        Number(new RegExp(`<testsuite[^>]*\\s${name}="(\\d+)"`).exec(xml)?.[1] ?? 0);
      const failed = attr('failures') + attr('errors');
      return { passed: attr('tests') - failed - attr('skipped'), failed };
    } catch {
      return { passed: 0, failed: 0 };
    }
  };
}

/** One Jest run of a project, its JSON report under a slug, and the arguments after the project. */
function jestRun(slug: string, project: string, args: string[]): [string, string[]] {
  return [bin('jest'), [...args, '--selectProjects', project, '--json', `--outputFile=${report(`${slug}.json`)}`]];
}

async function step(
  name: string,
  [command, args]: [string, string[]],
  options: { counts?: () => Counts; env?: NodeJS.ProcessEnv } = {},
): Promise<StepResult> {
  const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const log = report(`${slug}.log`);
  console.log(`▶ ${name}`);
  const started = Date.now();
  const code = await run(command, args, log, options.env);
  const seconds = (Date.now() - started) / 1000;
  const { passed, failed } = options.counts?.() ?? { passed: 0, failed: 0 };
  const output = readFileSync(log, 'utf8').trimEnd();
  console.log(`${code === 0 ? '✔' : '✘'} ${name} (${seconds.toFixed(1)} s)${output ? `\n${indent(output)}` : ''}`);
  return { name, ok: code === 0, seconds, passed, failed };
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

async function sequence(...steps: (() => Promise<StepResult>)[]): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const next of steps) results.push(await next());
  return results;
}

async function main(): Promise<number> {
  mkdirSync(REPORTS, { recursive: true });
  const wasUp = (await run(...tsx('local/stack/cli.ts', 'status', '--quiet'))) === 0;

  const checks = sequence(
    () => step('typecheck', [bin('tsc'), ['--noEmit', '-p', REPO_ROOT]]),
    () => step('lint', [bin('eslint'), [REPO_ROOT]]),
    () => step('format check', [bin('biome'), ['format', REPO_ROOT]]),
    () => step('unit tests', jestRun('unit', 'unit', []), { counts: jestCounts(report('unit.json')) }),
  );
  const up = step('local stack up', tsx('local/stack/cli.ts', 'up'));
  const results: StepResult[] = [...(await checks)];
  const stack = await up;
  results.push(stack);

  if (stack.ok) {
    results.push(
      await step(
        'integration tests (private resources, in parallel)',
        jestRun('integration', 'integration', [
          '--maxWorkers=2',
          ...STACK_WIDE_INTEGRATION_FILES.flatMap((file) => ['--testPathIgnorePatterns', file]),
        ]),
        { counts: jestCounts(report('integration.json')), env: { CDC_TEST_SHARED_STACK: '1' } },
      ),
    );
    // pytest beside the stack-wide files, not beside the Spark end-to-end file: two Spark JVMs on
    // two cores doubled both (pytest 368 s instead of 144 s).
    const [stackWide, pytest] = await Promise.all([
      step(
        'integration tests (stack-wide, one at a time)',
        jestRun('integration-stack-wide', 'integration', [
          '--runInBand',
          '--runTestsByPath',
          ...STACK_WIDE_INTEGRATION_FILES,
        ]),
        { counts: jestCounts(report('integration-stack-wide.json')) },
      ),
      step('spark job tests (pytest)', tsx('local/stack/pytest-cli.ts', `--junitxml=${report('glue-jobs.xml')}`), {
        counts: junitCounts(report('glue-jobs.xml')),
      }),
    ]);
    results.push(stackWide, pytest);
  }
  if (!wasUp) results.push(await step('local stack down', tsx('local/stack/cli.ts', 'down')));

  console.log('\nsummary');
  for (const r of results) {
    const counts = r.passed + r.failed > 0 ? `  ${r.passed} passed, ${r.failed} failed` : '';
    console.log(`  ${r.ok ? '✔' : '✘'} ${r.name.padEnd(52)} ${r.seconds.toFixed(1).padStart(6)} s${counts}`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0) + results.filter((r) => !r.ok && r.failed === 0).length;
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
  return failed === 0 && results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  const started = Date.now();
  main().then(
    (code) => {
      console.log(`wall clock: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.exit(code);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
