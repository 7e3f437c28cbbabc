/**
 * npm run jobs:upload -- --stage <stage>: puts the Spark job code where the job launcher points
 * EMR Serverless: glue-jobs/entrypoint.py and glue-jobs/src/cdc_jobs as a zip, under jobs/ in
 * the stage's artifacts bucket. Part of a deploy (`sls deploy --stage dev && npm run jobs:upload
 * -- --stage dev`); the local stack runs it when it provisions.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { commandLineOf, readFlags } from '../../cli/command-line';
import { JOB_ARTIFACTS } from '../../lib/jobs';
import { localClientConfig } from '../../stage/local-aws';
import { loadResolvedConfig, REPO_ROOT } from '../../stage/resolved-config';

/** The job package, zipped with Python's own zipfile module (Python is needed for the jobs anyway). */
export function zipJobPackage(): Buffer {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cdc-jobs-')), 'cdc_jobs.zip');
  execFileSync(process.env.PYTHON ?? 'python3', ['-m', 'zipfile', '-c', out, 'cdc_jobs'], {
    cwd: path.join(REPO_ROOT, 'glue-jobs', 'src'),
  });
  return readFileSync(out);
}

export async function uploadJobArtifacts(bucket: string, s3: S3Client): Promise<string[]> {
  const files: [string, Buffer, string][] = [
    [JOB_ARTIFACTS.entryPoint, readFileSync(path.join(REPO_ROOT, 'glue-jobs', 'entrypoint.py')), 'text/x-python'],
    [JOB_ARTIFACTS.pyFiles, zipJobPackage(), 'application/zip'],
  ];
  for (const [key, body, type] of files)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: type }));
  return files.map(([key]) => `s3://${bucket}/${key}`);
}

const USAGE = 'usage: npm run jobs:upload -- --stage <stage>';

async function main(argv: readonly string[]): Promise<void> {
  const { stage } = commandLineOf(USAGE, (args) => readFlags(args, { stage: 'string' }), argv);
  if (!stage) throw new Error(USAGE);
  const config = await loadResolvedConfig(stage);
  const s3 = stage === 'local' ? new S3Client({ ...localClientConfig(), forcePathStyle: true }) : new S3Client({});
  for (const uri of await uploadJobArtifacts(config.custom.names.artifactsBucket, s3)) console.log(`uploaded ${uri}`);
  s3.destroy();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`jobs:upload failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
