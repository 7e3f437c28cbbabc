import { type CommonConfig, ConfigError, loadCommonConfig, requireInt, requireString } from '../../lib/config';

export interface ConsumerConfig extends CommonConfig {
  readonly gzip: boolean;
  readonly decodeAttempts: number;
  /** The raw bucket's extent per topic-partition (lib/consumer/partition-marks.ts). */
  readonly rawOffsetsTable: string;
}

/** Read once at cold start; a bad value fails here, naming the variable. */
export function loadConsumerConfig(env: Readonly<Record<string, string | undefined>>): ConsumerConfig {
  // The defaults live in serverless.yml (params rawGzip, consumerDecodeAttempts) only.
  const gzip = requireString(env, 'CDC_RAW_GZIP');
  if (gzip !== 'true' && gzip !== 'false')
    throw new ConfigError('CDC_RAW_GZIP', `must be "true" or "false", got "${gzip}"`);
  return {
    ...loadCommonConfig(env),
    gzip: gzip === 'true',
    decodeAttempts: requireInt(env, 'CDC_CONSUMER_DECODE_ATTEMPTS', { min: 1, max: 10 }),
    rawOffsetsTable: requireString(env, 'CDC_RAW_OFFSETS_TABLE'),
  };
}

/** `cdc.customer` → `customer`, only for configured entities. */
export function entityOfTopic(
  config: Pick<CommonConfig, 'topicPrefix' | 'entities'>,
): (topic: string) => string | undefined {
  return (topic) => {
    const prefix = `${config.topicPrefix}.`;
    if (!topic.startsWith(prefix)) return undefined;
    const entity = topic.slice(prefix.length);
    return config.entities.has(entity) ? entity : undefined;
  };
}
