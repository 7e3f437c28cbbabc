'use strict';
// The poller's checkpoint store (param checkpointStore). With postgres the poller's role may read
// the database's secret (iam.yml, under the CheckpointPostgres condition), and a deploy without
// the instance's params stops here, naming them, instead of at the poller's first cold start.
const STORES = ['dynamodb', 'postgres'];

module.exports.conditions = async ({ resolveVariable }) => {
  const [stage, store, host, database, secretArn] = await Promise.all([
    resolveVariable('sls:stage'),
    resolveVariable('param:checkpointStore'),
    resolveVariable('param:rdsHost, null'),
    resolveVariable('param:rdsDatabase, null'),
    resolveVariable('param:rdsSecretArn, null'),
  ]);
  if (!STORES.includes(store))
    throw new Error(`param checkpointStore: must be one of ${STORES.join(', ')}, got ${store}`);
  if (store === 'postgres' && stage !== 'local') {
    const missing = [
      ['rdsHost', host],
      ['rdsDatabase', database],
    ].filter(([, value]) => typeof value !== 'string' || value === '');
    if (missing.length > 0)
      throw new Error(
        `param checkpointStore is postgres: set param ${missing.map(([name]) => name).join(' and ')} (the RDS instance's endpoint and database)`,
      );
    if (typeof secretArn !== 'string' || !secretArn.startsWith('arn:'))
      throw new Error(
        'param checkpointStore is postgres: set param rdsSecretArn to the ARN of the Secrets Manager secret with the database username and password',
      );
  }
  return { Conditions: { CheckpointPostgres: { 'Fn::Equals': [store, 'postgres'] } } };
};
