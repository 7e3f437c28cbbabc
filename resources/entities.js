'use strict';
// Everything that is "one per entity" is generated here from the single entity list
// (params.entities) and the schema files, so no second copy of the list exists.
const fs = require('node:fs');
const path = require('node:path');

// osls's own naming of the mappings it generates from msk events (see consumerMappingLimits).
const mskNaming = require('osls/lib/plugins/aws/lib/naming');
const mskClusterNameToken = require('osls/lib/plugins/aws/package/compile/events/msk/get-msk-cluster-name-token');

const SCHEMA_DIR = path.join(__dirname, '..', 'schemas');
const COMPATIBILITY_MODES = [
  'NONE',
  'DISABLED',
  'BACKWARD',
  'BACKWARD_ALL',
  'FORWARD',
  'FORWARD_ALL',
  'FULL',
  'FULL_ALL',
];

async function loadEntities(resolveVariable) {
  const entities = await resolveVariable('param:entities');
  if (!entities || typeof entities !== 'object' || Array.isArray(entities) || Object.keys(entities).length === 0) {
    throw new Error('params.entities must be a non-empty map of entity name -> options (e.g. "customer: {}")');
  }
  for (const [name, options] of Object.entries(entities)) {
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      throw new Error(`params.entities: entity name "${name}" must match ^[a-z][a-z0-9_]*$`);
    }
    if (!fs.existsSync(schemaFile(name))) {
      throw new Error(`params.entities.${name}: schema file schemas/${name}.avsc does not exist`);
    }
    const compatibility = (options && options.compatibility) || 'BACKWARD';
    if (!COMPATIBILITY_MODES.includes(compatibility)) {
      throw new Error(
        `params.entities.${name}.compatibility: "${compatibility}" is not one of ${COMPATIBILITY_MODES.join(', ')}`,
      );
    }
  }
  const orphans = fs
    .readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => f.slice(0, -5))
    .filter((n) => !(n in entities));
  if (orphans.length > 0) {
    throw new Error(`schemas/${orphans[0]}.avsc has no entry in params.entities (add "${orphans[0]}: {}")`);
  }
  return entities;
}

function schemaFile(entity) {
  return path.join(SCHEMA_DIR, `${entity}.avsc`);
}

function logicalId(entity) {
  return entity
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

module.exports.entitiesJson = async ({ resolveVariable }) => JSON.stringify(await loadEntities(resolveVariable));

module.exports.pollerSchedules = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const defaultRate = await resolveVariable('param:pollRate');
  return Object.entries(entities).map(([entity, options]) => ({
    schedule: { rate: (options && options.pollRate) || defaultRate, input: { entity } },
  }));
};

module.exports.consumerTopics = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const [arn, prefix, batchSize, window, namePrefix, kafkaAuth, scramSecretArn, minimumPollers, maximumPollers] =
    await Promise.all([
      resolveVariable('param:mskClusterArn'),
      resolveVariable('param:topicPrefix'),
      resolveVariable('param:consumerBatchSize'),
      resolveVariable('param:consumerBatchWindowSeconds'),
      resolveVariable('param:namePrefix'),
      resolveVariable('param:kafkaAuth'),
      resolveVariable('param:kafkaScramSecretArn, null'),
      resolveVariable('param:consumerMinimumPollers'),
      resolveVariable('param:consumerMaximumPollers'),
    ]);
  const pollers = {
    minimumPollers: wholeNumber('consumerMinimumPollers', minimumPollers, (n) => n >= 1 && n <= 200, '1..200'),
    maximumPollers: wholeNumber(
      'consumerMaximumPollers',
      maximumPollers,
      (n) => n >= Number(minimumPollers) && n <= 2000,
      'consumerMinimumPollers..2000',
    ),
  };
  // IAM is the MSK trigger's default (the consumer role's kafka-cluster:* grants); SCRAM names the secret.
  const auth = kafkaAuth === 'scram-sha-512' ? { saslScram512: requireScramSecret(scramSecretArn) } : {};
  return Object.keys(entities).map((entity) => ({
    msk: {
      arn,
      topic: `${prefix}.${entity}`,
      batchSize,
      maximumBatchingWindow: window,
      startingPosition: 'TRIM_HORIZON',
      // One group per topic: mappings sharing a group but not a subscription make Kafka hand a
      // topic's partitions to a member that never reads them.
      consumerGroupId: `${namePrefix}-consumer-${entity}`,
      // Lambda applies a Kafka mapping's retry and age limits only in provisioned mode.
      provisionedPollerConfig: pollers,
      ...auth,
    },
  }));
};

// What osls's msk event cannot say (it has no retry, age or destination keys) is added to the
// mappings it generates, found by osls's own logical ids: a renamed mapping fails the package
// ("Cannot extend … not found") instead of silently losing its limits.
module.exports.consumerMappingLimits = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const [arn, prefix] = await Promise.all([
    resolveVariable('param:mskClusterArn'),
    resolveVariable('param:topicPrefix'),
  ]);
  const limits = await consumerLimits(resolveVariable);
  const extensions = {};
  for (const entity of Object.keys(entities)) {
    const topic = `${prefix}.${entity}`;
    extensions[mskNaming.getMSKEventLogicalId('consumer', mskClusterNameToken(arn), topic)] = { Properties: limits };
  }
  return { extensions };
};

// A batch the consumer still fails after the retries, or whose records outlive the age (below
// MSK's default 7-day retention, so they are still there to send), goes whole to the raw bucket;
// without limits Lambda retries it until retention deletes the records, holding the partition.
async function consumerLimits(resolveVariable) {
  const [retries, age] = await Promise.all([
    resolveVariable('param:consumerMaxRetryAttempts'),
    resolveVariable('param:consumerMaxRecordAgeSeconds'),
  ]);
  return {
    MaximumRetryAttempts: wholeNumber('consumerMaxRetryAttempts', retries, (n) => n >= 0 && n <= 10000, '0..10000'),
    MaximumRecordAgeInSeconds: wholeNumber(
      'consumerMaxRecordAgeSeconds',
      age,
      (n) => n === -1 || (n >= 60 && n <= 604800),
      '-1 or 60..604800',
    ),
    // No bisecting: the consumer parks a bad record itself, so a batch fails only as a whole (S3,
    // Glue or DynamoDB down), and halves would write objects under other offset ranges than the
    // batch's, the same rows twice instead of one object overwritten.
    BisectBatchOnFunctionError: false,
    // The raw bucket: Lambda writes there under aws/lambda/, outside the raw/ prefix the Spark jobs read.
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['RawBucket', 'Arn'] } } },
  };
}

function wholeNumber(param, value, ok, range) {
  const n = Number(value);
  if (!Number.isInteger(n) || !ok(n)) throw new Error(`param ${param}: must be ${range}, got ${value}`);
  return n;
}

function requireScramSecret(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:'))
    throw new Error(
      'param kafkaAuth is scram-sha-512: set param kafkaScramSecretArn (the AmazonMSK_* secret) and kafkaScramKmsKeyArn',
    );
  return arn;
}

// One AWS::Glue::Schema per entity, named after its topic: that is the name AWS's own
// serializer (schema-registry-serde) looks up by default, so Java/Flink producers line up.
module.exports.glueSchemas = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const prefix = await resolveVariable('param:topicPrefix');
  const Resources = {};
  for (const [entity, options] of Object.entries(entities)) {
    Resources[`${logicalId(entity)}Schema`] = {
      Type: 'AWS::Glue::Schema',
      Properties: {
        Name: `${prefix}.${entity}`,
        Description: `Change events of ${entity} (schemas/${entity}.avsc)`,
        Registry: { Arn: { 'Fn::GetAtt': ['SchemaRegistry', 'Arn'] } },
        DataFormat: 'AVRO',
        Compatibility: (options && options.compatibility) || 'BACKWARD',
        SchemaDefinition: fs.readFileSync(schemaFile(entity), 'utf8'),
        Tags: [{ Key: 'entity', Value: entity }],
      },
    };
  }
  return { Resources };
};

// kafka-cluster:* IAM actions name topics and groups by ARNs derived from the cluster ARN:
// arn:aws:kafka:<region>:<account>:{cluster|topic|group}/<cluster-name>/<cluster-uuid>[/<name>]
async function mskArn(resolveVariable, kind, name) {
  const clusterArn = await resolveVariable('param:mskClusterArn');
  const match = /^(arn:[^:]+:kafka:[^:]*:[^:]*:)cluster\/([^/]+\/[^/]+)$/.exec(clusterArn);
  if (!match) throw new Error(`param mskClusterArn "${clusterArn}" is not an MSK cluster ARN`);
  return `${match[1]}${kind}/${match[2]}/${name}`;
}

module.exports.kafkaTopicArns = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const prefix = await resolveVariable('param:topicPrefix');
  return Promise.all(Object.keys(entities).map((e) => mskArn(resolveVariable, 'topic', `${prefix}.${e}`)));
};

module.exports.kafkaConsumerGroupArns = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const namePrefix = await resolveVariable('param:namePrefix');
  return Promise.all(Object.keys(entities).map((e) => mskArn(resolveVariable, 'group', `${namePrefix}-consumer-${e}`)));
};

// For the other generators of per-entity resources (alarms.js).
module.exports.loadEntities = loadEntities;
module.exports.logicalId = logicalId;
