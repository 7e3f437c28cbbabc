import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { StackError } from './errors';
import { KAFKA_DIR, REPO_ROOT, SPARK_JARS_DIR, VENV_DIR, venvBin } from './paths';

const run = promisify(execFile);
type Log = (message: string) => void;

const TOOLS: Record<string, { args: string[]; hint: string }> = {
  java: {
    args: ['-version'],
    hint: 'Java 17+ is required for the Kafka broker and Spark: apt-get install openjdk-17-jdk-headless',
  },
  mvn: {
    args: ['-v'],
    hint: 'Maven is required to fetch the Kafka and Spark jars from Maven Central: apt-get install maven',
  },
  python3: {
    args: ['--version'],
    hint: 'Python 3.10+ with venv is required for moto and PySpark: apt-get install python3 python3-venv',
  },
};

export function requireTool(name: keyof typeof TOOLS): void {
  const tool = TOOLS[name];
  if (tool && spawnSync(name, tool.args, { stdio: 'ignore' }).status !== 0) throw new StackError(tool.hint);
}

function fingerprint(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Runs `install` only when the input file changed since the last successful install into `dir`. */
async function installOnce(
  dir: string,
  input: string,
  log: Log,
  what: string,
  install: () => Promise<void>,
): Promise<boolean> {
  const marker = path.join(dir, '.installed-from');
  const wanted = fingerprint(input);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return false;
  log(`${what}: installing (first run, or ${path.relative(REPO_ROOT, input)} changed)…`);
  const started = Date.now();
  try {
    await install();
  } catch (error) {
    const detail =
      (error as { stderr?: string; stdout?: string }).stderr || (error as { stdout?: string }).stdout || String(error);
    throw new StackError(`${what}: installation failed:\n${detail.trim().split('\n').slice(-15).join('\n')}`);
  }
  writeFileSync(marker, wanted);
  log(`${what}: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

async function copyMavenDependencies(pom: string, outputDir: string): Promise<void> {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  await run(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`, '-DincludeScope=runtime'],
    { maxBuffer: 32 * 1024 * 1024 },
  );
}

export async function ensureKafkaJars(log: Log): Promise<void> {
  requireTool('java');
  requireTool('mvn');
  const libs = path.join(KAFKA_DIR, 'libs');
  mkdirSync(libs, { recursive: true });
  await installOnce(libs, path.join(REPO_ROOT, 'local/kafka/pom.xml'), log, 'kafka jars', () =>
    copyMavenDependencies(path.join(REPO_ROOT, 'local/kafka/pom.xml'), libs),
  );
}

export async function ensureSparkJars(log: Log): Promise<void> {
  requireTool('mvn');
  mkdirSync(SPARK_JARS_DIR, { recursive: true });
  await installOnce(SPARK_JARS_DIR, path.join(REPO_ROOT, 'local/spark/pom.xml'), log, 'spark jars', () =>
    copyMavenDependencies(path.join(REPO_ROOT, 'local/spark/pom.xml'), SPARK_JARS_DIR),
  );
}

export async function ensurePythonEnv(log: Log): Promise<void> {
  requireTool('python3');
  const requirements = path.join(REPO_ROOT, 'local/python/requirements.txt');
  if (!existsSync(venvBin('python'))) {
    const created = spawnSync('python3', ['-m', 'venv', VENV_DIR], { encoding: 'utf8' });
    if (created.status !== 0)
      throw new StackError(`Python's venv module is required: apt-get install python3-venv\n${created.stderr}`);
  }
  await installOnce(VENV_DIR, requirements, log, 'python venv (moto, pyspark, delta-spark)', async () => {
    await run(venvBin('pip'), ['install', '--disable-pip-version-check', '-q', '-r', requirements], {
      maxBuffer: 32 * 1024 * 1024,
    });
  });
}

/** Absolute paths of the extra Spark jars (Delta, S3A), for spark.jars. */
export function sparkJars(): string[] {
  if (!existsSync(SPARK_JARS_DIR)) return [];
  return readdirSync(SPARK_JARS_DIR)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => path.join(SPARK_JARS_DIR, f));
}
