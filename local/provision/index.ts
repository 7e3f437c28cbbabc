import { S3Client } from '@aws-sdk/client-s3';
import { localClientConfig } from '../../stage/local-aws';
import { uploadJobArtifacts } from '../jobs/upload';
import { LOCAL_PSEUDO_PARAMETERS, type PhysicalResource, resolveIntrinsics } from '../serverless/intrinsics';
import { type CfnResource, entityNames, loadResolvedConfig, stageParam } from '../../stage/resolved-config';
import { provisionTable } from './dynamodb';
import { provisionSparkApplication } from './emr-serverless';
import { provisionCatalogDatabase, provisionRegistry, provisionSchema } from './glue';
import { provisionTopics } from './kafka-topics';
import { provisionMskScramSecret, provisionRdsSecret } from './secrets';
import { provisionBucket } from './s3';
import { provisionTopic } from './sns';
import { scramSecretName } from '../../stage/local-kafka';

type Provisioner = (props: never) => Promise<PhysicalResource>;

/**
 * Resource types the local stack creates, in dependency order. The rest of the template
 * (IAM, Lambda, EventBridge, log groups, SNS topic policies) is played by the local runtime or
 * has no local meaning, and is listed as skipped.
 */
const PROVISIONERS: ReadonlyArray<readonly [string, Provisioner]> = [
  ['AWS::DynamoDB::Table', provisionTable],
  ['AWS::S3::Bucket', provisionBucket],
  ['AWS::SNS::Topic', provisionTopic],
  ['AWS::Glue::Registry', provisionRegistry],
  ['AWS::Glue::Schema', provisionSchema],
  ['AWS::Glue::Database', provisionCatalogDatabase],
  ['AWS::EMRServerless::Application', provisionSparkApplication],
];

/**
 * Types deliberately not created locally, with the reason. Our bucket policies deny every
 * request not made over TLS; the local endpoint is plain HTTP and moto enforces bucket
 * policies, so applying them would lock every client out.
 */
const NOT_PROVISIONED: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'TLS-only policies: the local endpoint is plain HTTP',
};

export interface ProvisionReport {
  readonly created: Record<string, PhysicalResource>;
  readonly skipped: string[];
  readonly topics: string[];
}

/** Provisions stage `local` from the same resolved definitions `sls deploy` would use. */
export async function provisionLocalResources(log: (msg: string) => void, stage = 'local'): Promise<ProvisionReport> {
  const config = await loadResolvedConfig(stage);
  const resources = Object.entries(config.resources.Resources);
  const physical = new Map<string, PhysicalResource>();
  for (const [type, provision] of PROVISIONERS) {
    for (const [logicalId, resource] of resources.filter(([, r]) => r.Type === type)) {
      const props = resolveIntrinsics(resource.Properties ?? {}, physical) as never;
      physical.set(logicalId, await provision(props));
    }
  }
  // Not created locally, but referenced (e.g. the Spark job role's ARN in an environment variable).
  for (const [logicalId] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
    physical.set(logicalId, {
      ref: logicalId,
      attributes: { Arn: `arn:aws:iam::${LOCAL_PSEUDO_PARAMETERS['AWS::AccountId']}:role/${logicalId}` },
    });
  }
  const skipped = resources
    .filter(([, r]) => !PROVISIONERS.some(([type]) => type === r.Type))
    .map(([id, r]) => `${id} (${r.Type}${NOT_PROVISIONED[r.Type] ? `: ${NOT_PROVISIONED[r.Type]}` : ''})`);
  const topicPrefix = String(stageParam(config, stage, 'topicPrefix'));
  const topics = entityNames(config, stage).map((e) => `${topicPrefix}.${e}`);
  // checkpointStore postgres reads the local server's credentials from this secret (it exists either way, so the store can be switched by CDC_CHECKPOINT_STORE alone).
  const rdsSecret = config.functions.poller?.environment?.CDC_RDS_SECRET_ARN;
  if (typeof rdsSecret === 'string' && rdsSecret !== '') await provisionRdsSecret(rdsSecret);
  // The SASL_SSL listener's AmazonMSK_* secret (it exists either way, so CDC_KAFKA_AUTH alone switches stage local to SCRAM).
  const scramSecret = scramSecretName(String(stageParam(config, stage, 'namePrefix')));
  await provisionMskScramSecret(scramSecret);
  const createdTopics = await provisionTopics(topics, Number(stageParam(config, stage, 'topicPartitions')));
  // The Spark job code, where the job launcher points the (local) EMR Serverless runs.
  const s3 = new S3Client({ ...localClientConfig(), forcePathStyle: true });
  await uploadJobArtifacts(config.custom.names.artifactsBucket, s3).finally(() => s3.destroy());
  log(
    `provisioned ${physical.size - resources.filter(([, r]) => r.Type === 'AWS::IAM::Role').length} AWS resources on moto (${summarize(resources, physical)}); kafka topics ${topics.join(', ')}${createdTopics.length ? ` (${createdTopics.length} new)` : ''}; Spark job code in s3://${config.custom.names.artifactsBucket}/jobs/${rdsSecret ? `; secret ${rdsSecret} (the local PostgreSQL's credentials)` : ''}; secret ${scramSecret} (the SASL_SSL listener's SCRAM user)`,
  );
  return { created: Object.fromEntries(physical), skipped, topics };
}

function summarize(resources: [string, CfnResource][], physical: Map<string, PhysicalResource>): string {
  const counts = new Map<string, number>();
  for (const [id, r] of resources)
    if (physical.has(id) && r.Type !== 'AWS::IAM::Role') counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type.replace('AWS::', '')}`).join(', ');
}
