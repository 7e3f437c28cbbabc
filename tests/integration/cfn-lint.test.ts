import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { slsPackage } from '../../local/serverless/sls-package';
import { venvBin } from '../../local/stack/paths';
import { holdEsbuildFolder } from '../helpers/esbuild-folder-lock';

const run = promisify(execFile);

/**
 * The rules switched off, each a false positive of how the template is made; every other rule,
 * warnings included, fails the test.
 */
const GENERATED = {
  // serverless writes DependsOn: [<Fn>LogGroup, <Fn>Role] on each function it generates, beside the
  // Role's GetAtt that already orders them: redundant, harmless, and not in our source.
  W3005: 'DependsOn already enforced by a GetAtt',
  // KafkaScram and CheckpointPostgres compare a stage param, which sls package resolves to a literal:
  // in one stage's template they are constant by design (resources/kafka-auth.yml, checkpoint-store.js).
  W8003: 'Fn::Equals always true or false',
};
const CONDITIONS_OFF = {
  ...GENERATED,
  // With those conditions off, the grants under them hold the placeholders 'unused-without-scram' and
  // 'unused-without-postgres' (resources/iam.yml), which never reach a policy; turning a condition on
  // without a real ARN is refused at package time. The variant below checks the real grants with it on.
  E3510: 'IAM policy Resource is not an ARN',
};

interface Variant {
  readonly name: string;
  readonly stage: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly ignored: Readonly<Record<string, string>>;
}

const VARIANTS: readonly Variant[] = [
  { name: 'dev', stage: 'dev', ignored: CONDITIONS_OFF },
  { name: 'prod', stage: 'prod', ignored: CONDITIONS_OFF },
  {
    name: 'prod with kafkaAuth scram-sha-512 and checkpointStore postgres',
    stage: 'prod',
    params: {
      kafkaAuth: 'scram-sha-512',
      kafkaScramSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_cdc-prod-AbC123',
      kafkaScramKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/0000aaaa-bbbb-cccc-dddd-eeeeffff0000',
      checkpointStore: 'postgres',
      rdsHost: 'cdc.cluster-c0ffee.us-east-1.rds.amazonaws.com',
      rdsDatabase: 'cdc',
      rdsSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-AbC123',
    },
    ignored: GENERATED,
  },
];

interface LintResult {
  readonly exitCode: number;
  readonly output: string;
}

/** The venv's cfn-lint on one template, in serverless.yml's default region. */
async function cfnLint(template: string, ignored: Readonly<Record<string, string>>): Promise<LintResult> {
  const args = [template, '--regions', 'us-east-1', '--ignore-checks', ...Object.keys(ignored)];
  try {
    const { stdout, stderr } = await run(venvBin('cfn-lint'), args, { maxBuffer: 16 * 1024 * 1024 });
    return { exitCode: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { exitCode: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('cfn-lint on the packaged CloudFormation templates', () => {
  const results = new Map<string, LintResult>();
  const dirs: string[] = [];

  // Packaged one after another (they share .esbuild/), each linted while the next one packages.
  beforeAll(async () => {
    const lints: Promise<void>[] = [];
    const release = await holdEsbuildFolder(90_000);
    try {
      for (const variant of VARIANTS) {
        const dir = await mkdtemp(path.join(os.tmpdir(), `cdc-cfn-lint-${variant.stage}-`));
        dirs.push(dir);
        await slsPackage(variant.stage, dir, { params: variant.params, timeoutMs: 90_000 });
        const template = path.join(dir, 'cloudformation-template-update-stack.json');
        lints.push(cfnLint(template, variant.ignored).then((result) => void results.set(variant.name, result)));
      }
    } finally {
      await release();
    }
    await Promise.all(lints);
  }, 115_000);
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it.each(VARIANTS.map((variant) => [variant.name]))('finds nothing in the template of %s', (name) => {
    const result = results.get(name);
    if (!result) throw new Error(`the template of ${name} was not linted`);
    if (result.exitCode !== 0)
      throw new Error(`cfn-lint exited with ${result.exitCode} on the template of ${name}:\n${result.output}`);
    expect(result.exitCode).toBe(0);
  });
});
