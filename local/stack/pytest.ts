import { spawn } from 'node:child_process';
import path from 'node:path';
import { localClientConfig, localEndpoint } from '../../stage/local-aws';
import { sparkJars } from './install';
import { REPO_ROOT, venvBin } from './paths';

/** pytest in glue-jobs/ with the stack's venv, its Spark jars, and moto as S3. Returns the exit code. */
export function runGlueJobTests(extraArgs: string[]): Promise<number> {
  const { credentials } = localClientConfig();
  const env = {
    ...process.env,
    CDC_SPARK_JARS: sparkJars().join(','),
    AWS_ENDPOINT_URL: localEndpoint(),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    PYSPARK_PYTHON: venvBin('python'),
  };
  return new Promise((resolve) => {
    const child = spawn(venvBin('pytest'), extraArgs, {
      cwd: path.join(REPO_ROOT, 'glue-jobs'),
      env,
      stdio: 'inherit',
    });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => {
      // pytest's 5 means "no tests collected": for a suite that must run, that is a failure.
      if (code === 5) console.error('pytest collected no tests in glue-jobs/: that is a failure, not a pass');
      resolve(code === 0 ? 0 : (code ?? 1));
    });
  });
}
