import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type CfnTemplate, packageTemplate, resourcesOfType } from '../../helpers/package-template';

const ENTITIES = readdirSync(path.resolve(__dirname, '../../../schemas'))
  .filter((f) => f.endsWith('.avsc'))
  .map((f) => f.slice(0, -5));
let dev: CfnTemplate;

beforeAll(async () => {
  dev = await packageTemplate('dev');
}, 120_000);

function consumerMappings(template: CfnTemplate): Record<string, unknown>[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
    .map(([, p]) => p)
    .filter((p) => JSON.stringify(p.FunctionName).includes('"ConsumerLambdaFunction"'));
}

describe("the consumer's MSK event source mappings (stage dev)", () => {
  it('give up on a failing batch after bounded retries and age, instead of retrying until retention deletes it', () => {
    const mappings = consumerMappings(dev);
    expect(mappings).toHaveLength(ENTITIES.length);
    for (const m of mappings) {
      expect(m.MaximumRetryAttempts).toBe(20);
      expect(m.MaximumRecordAgeInSeconds).toBe(518_400);
      // A batch fails only as a whole (bad records are parked by the consumer): halves would re-key its rows.
      expect(m.BisectBatchOnFunctionError).toBe(false);
      // Kafka mappings honour the retry and age limits only in provisioned mode.
      expect(m.ProvisionedPollerConfig).toEqual({ MinimumPollers: 1, MaximumPollers: 3 });
    }
  });

  it('send a batch they give up on, whole, to the S3 on-failure destination: the raw bucket', () => {
    for (const m of consumerMappings(dev)) {
      expect(m.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': ['RawBucket', 'Arn'] } } });
    }
  });

  it('refuses limits Lambda would reject, naming the param', async () => {
    const failure = await packageTemplate('dev', { consumerMaxRecordAgeSeconds: '30' }).then(
      () => 'packaged',
      (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
    expect(failure).toMatch(/param consumerMaxRecordAgeSeconds: must be -1 or 60\.\.604800, got 30/);
  }, 120_000);
});
