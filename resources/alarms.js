'use strict';
// CloudWatch alarms and the dashboard of a stage, built from lib/metrics/metrics.json: the same
// file the functions emit their metrics from, so an alarm can only watch a metric (name and
// dimensions) the code writes. All alarms notify the alert topic; thresholds are stage params.
const catalogue = require('../lib/metrics/metrics.json');
const { loadEntities, logicalId } = require('./entities.js');

const FUNCTIONS = {
  poller: 'PollerLambdaFunction',
  consumer: 'ConsumerLambdaFunction',
  retry: 'RetryLambdaFunction',
  jobLauncher: 'JobLauncherLambdaFunction',
};
/** The consumer's dead letters, by the reasons it gives (lib/consumer). */
const DEAD_LETTER_REASONS = ['SCHEMA_NOT_FOUND', 'UNDECODABLE'];

/** A schedule's period in seconds: `rate(5 minutes)`; a cron schedule is taken as hourly. */
function periodOf(rate) {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(String(rate).trim());
  if (!match) return 3600;
  const unit = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 }[match[2]];
  return Number(match[1]) * unit;
}

function number(param, value, min) {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`param ${param}: must be a number >= ${min}, got ${value}`);
  return n;
}

/** Dimensions of a catalogue metric, checked against its definition: the template cannot name others. */
function dimensionsOf(metric, values) {
  const names = Object.keys(values);
  if (JSON.stringify(names) !== JSON.stringify(metric.dimensions))
    throw new Error(`alarm on ${metric.name}: dimensions ${names} are not the catalogue's ${metric.dimensions}`);
  return names.map((Name) => ({ Name, Value: values[Name] }));
}

function alarm(description, metric, dimensions, props) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: metric.namespace ?? catalogue.namespace,
      MetricName: metric.name,
      Dimensions: metric.namespace ? dimensions : dimensionsOf(metric, dimensions),
      AlarmActions: [{ Ref: 'AlertTopic' }],
      OKActions: [{ Ref: 'AlertTopic' }],
      ...props,
    },
  };
}

const lambdaMetric = (name) => ({ namespace: 'AWS/Lambda', name });

module.exports.resources = async ({ resolveVariable }) => {
  const entities = await loadEntities(resolveVariable);
  const [
    stage,
    namePrefix,
    pollRate,
    retrySweepRate,
    missed,
    lagSeconds,
    backlogSeconds,
    offsetLag,
    iteratorSeconds,
    email,
  ] = await Promise.all([
    resolveVariable('sls:stage'),
    resolveVariable('param:namePrefix'),
    resolveVariable('param:pollRate'),
    resolveVariable('param:retrySweepRate'),
    resolveVariable('param:alarmPollerMissedPeriods'),
    resolveVariable('param:alarmCheckpointLagSeconds'),
    resolveVariable('param:alarmBacklogAgeSeconds'),
    resolveVariable('param:alarmConsumerOffsetLag'),
    resolveVariable('param:alarmRetryIteratorAgeSeconds'),
    resolveVariable('param:alarmEmail, null'),
  ]);
  const [grouping, lakeMode, jobRate] = await Promise.all([
    resolveVariable('param:jobGrouping'),
    resolveVariable('param:lakeMode'),
    resolveVariable('param:batchJobRate'),
  ]);
  const periods = number('alarmPollerMissedPeriods', missed, 1);
  const P = catalogue.poller;
  const Resources = {};
  for (const [entity, options] of Object.entries(entities)) {
    const id = logicalId(entity);
    const period = Math.max(60, periodOf((options && options.pollRate) || pollRate));
    const dims = { stage, entity };
    Resources[`${id}PollerFailingAlarm`] = alarm(
      `${entity}: a poller run failed (source refusing, checkpoint store down, …)`,
      P.runs,
      { ...dims, outcome: 'failed' },
      {
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      },
    );
    // No heartbeat is the alarm: missing data counts as breaching (a poller that never runs sends nothing).
    Resources[`${id}PollerSilentAlarm`] = alarm(
      `${entity}: no successful poller run for ${periods} schedule periods`,
      P.heartbeat,
      dims,
      {
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
    );
    Resources[`${id}CheckpointLagAlarm`] = alarm(
      `${entity}: the checkpoint is more than ${lagSeconds} s behind now (a quiet source lags too: set the bound above its quietest hour)`,
      P.checkpointLag,
      dims,
      {
        Statistic: 'Maximum',
        Period: period,
        EvaluationPeriods: 1,
        Threshold: number('alarmCheckpointLagSeconds', lagSeconds, 60),
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      },
    );
    for (const reason of DEAD_LETTER_REASONS)
      Resources[`${id}DeadLetter${logicalId(reason.toLowerCase())}Alarm`] = alarm(
        `${entity}: the consumer dead-lettered records (${reason}); npm run redrive-consumer`,
        catalogue.consumer.deadLettered,
        { ...dims, reason },
        {
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        },
      );
  }
  const R = catalogue.retry;
  const sweepPeriod = Math.max(60, periodOf(retrySweepRate));
  Resources.FallbackBacklogAgeAlarm = alarm(
    `the oldest due event in the fallback table waits for more than ${backlogSeconds} s (Kafka down, a schema missing)`,
    R.oldestDueAge,
    { stage },
    {
      Statistic: 'Maximum',
      Period: sweepPeriod,
      EvaluationPeriods: 1,
      Threshold: number('alarmBacklogAgeSeconds', backlogSeconds, 60),
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  );
  Resources.StaleEventsAlarm = alarm(
    'events turned STALE (given up, archived under stale/ and alerted on)',
    R.stale,
    { stage },
    {
      Statistic: 'Sum',
      Period: sweepPeriod,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    },
  );
  Resources.JobLaunchFailedAlarm = alarm(
    'the job launcher could not start the Spark runs',
    catalogue.jobs.failedOnStart,
    { stage, job: 'launch' },
    {
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    },
  );
  // A Spark run that ended FAILED (the job launcher reads them on each of its runs), per run name (lib/jobs/job-spec.ts).
  const groups = grouping === 'all' ? [Object.keys(entities).join('+')] : Object.keys(entities);
  for (const mode of ['batch', 'streaming', 'continuous'])
    for (const group of groups)
      Resources[`${logicalId(mode)}${group.split('+').map(logicalId).join('')}JobRunFailedAlarm`] = alarm(
        `the Spark run cdc-${mode}-${group} failed (its log: the run's S3 logUri, or npm run status)`,
        catalogue.jobs.failed,
        { stage, job: `cdc-${mode}-${group}` },
        {
          Statistic: 'Sum',
          Period: 3600,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        },
      );
  // A supervised stream the launcher found not running (starting, or started again) at two checks in a row.
  if (lakeMode === 'streaming' || lakeMode === 'both')
    for (const group of groups)
      Resources[`Stream${group.split('+').map(logicalId).join('')}NotRunningAlarm`] = alarm(
        `the stream cdc-continuous-${group} was not running at two job launcher checks in a row (npm run status)`,
        catalogue.jobs.streamRunning,
        { stage, job: `cdc-continuous-${group}` },
        {
          Statistic: 'Maximum',
          Period: Math.max(60, periodOf(jobRate)),
          EvaluationPeriods: 2,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'notBreaching',
        },
      );
  // Lambda's own metrics, by function name.
  for (const [fn, logical] of Object.entries(FUNCTIONS)) {
    const name = { Name: 'FunctionName', Value: { Ref: logical } };
    for (const [metric, what] of [
      ['Errors', 'invocations failed'],
      ['Throttles', 'invocations were throttled'],
    ])
      Resources[`${logicalId(fn)}${metric}Alarm`] = alarm(`${fn}: ${what}`, lambdaMetric(metric), [name], {
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
  }
  Resources.ConsumerOffsetLagAlarm = alarm(
    `the consumer's MSK mappings are more than ${offsetLag} records behind the topics`,
    lambdaMetric('OffsetLag'),
    [{ Name: 'FunctionName', Value: { Ref: FUNCTIONS.consumer } }],
    {
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 2,
      Threshold: number('alarmConsumerOffsetLag', offsetLag, 1),
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  );
  Resources.RetryStreamIteratorAgeAlarm = alarm(
    `the retry function reads the fallback table's stream more than ${iteratorSeconds} s late`,
    lambdaMetric('IteratorAge'),
    [{ Name: 'FunctionName', Value: { Ref: FUNCTIONS.retry } }],
    {
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1000 * number('alarmRetryIteratorAgeSeconds', iteratorSeconds, 1),
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  );
  if (typeof email === 'string' && email !== '') {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`param alarmEmail: not an email address: ${email}`);
    Resources.AlarmEmailSubscription = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: 'AlertTopic' }, Protocol: 'email', Endpoint: email },
    };
  }
  Resources.Dashboard = dashboard(namePrefix, stage, Object.keys(entities));
  return { Resources };
};

/** One row per entity (published, parked, heartbeat, lag; the consumer's rows and lag), then the backlog: its age, the retry function's work, and its count per entity and status. */
function dashboard(namePrefix, stage, entities) {
  const P = catalogue.poller;
  const C = catalogue.consumer;
  const R = catalogue.retry;
  const series = (metric, dims, stat = 'Sum') => [
    catalogue.namespace,
    metric.name,
    ...Object.entries(dims).flat(),
    { stat },
  ];
  const widget = (title, metrics, x, y) => ({
    type: 'metric',
    x,
    y,
    width: 8,
    height: 6,
    properties: { title, metrics, region: '${AWS::Region}', view: 'timeSeries', period: 300 },
  });
  const widgets = entities.flatMap((entity, i) => {
    const dims = { stage, entity };
    return [
      widget(
        `${entity}: poller`,
        [series(P.published, dims), series(P.fetched, dims), series(P.heartbeat, dims), series(P.lateChanges, dims)],
        0,
        i * 6,
      ),
      widget(`${entity}: checkpoint lag (s)`, [series(P.checkpointLag, dims, 'Maximum')], 8, i * 6),
      widget(`${entity}: consumer`, [series(C.rows, dims), series(C.lag, dims, 'Maximum')], 16, i * 6),
    ];
  });
  widgets.push(
    widget('fallback backlog: oldest due (s)', [series(R.oldestDueAge, { stage }, 'Maximum')], 0, entities.length * 6),
    widget(
      'retry',
      [series(R.resent, { stage }), series(R.stale, { stage }), series(R.archived, { stage })],
      8,
      entities.length * 6,
    ),
    widget(
      'fallback backlog by entity and status (counted by the scheduled sweep)',
      entities.flatMap((entity) =>
        ['RETRIABLE', 'AMBIGUOUS', 'SUPERSEDED', 'STALE'].map((status) =>
          series(R.backlog, { stage, entity, status }, 'Maximum'),
        ),
      ),
      16,
      entities.length * 6,
    ),
  );
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: { DashboardName: namePrefix, DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) } },
  };
}
