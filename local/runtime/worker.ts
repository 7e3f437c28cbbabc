/**
 * One function's "container": a child process with the function's environment, which loads
 * the handler on the first invocation (its cold start) and then serves invocations one at a
 * time over IPC, as a Lambda execution environment does.
 */
import { randomUUID } from 'node:crypto';

interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: unknown;
  readonly requestId: string;
  readonly deadline: number;
}

type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

const [handlerFile, handlerExport = 'handler', functionName = 'function', memorySize = '1024'] = process.argv.slice(2);
let handler: Handler | undefined;

/**
 * `CDC_LOCAL_KAFKA_CLIENT`: `kafkajs` (the default, what deployed functions run) or
 * `platformatic`, which puts @platformatic/kafka behind the publisher port for this process
 * (the chaos suite's `--kafka-client`). Set before the handler module builds its producer.
 */
function chooseKafkaClient(): void {
  const client = process.env.CDC_LOCAL_KAFKA_CLIENT ?? 'kafkajs';
  if (client === 'kafkajs') return;
  if (client !== 'platformatic')
    throw new Error(`CDC_LOCAL_KAFKA_CLIENT must be kafkajs or platformatic, got ${JSON.stringify(client)}`);
  /* eslint-disable @typescript-eslint/no-require-imports */
  // The library calls Promise.withResolvers, which Node 20 lacks (nodejs22.x has it).
  require('../promise-with-resolvers');
  const { usePublisherFactory } = require('../../lib/lambda/producer') as typeof import('../../lib/lambda/producer');
  const { PlatformaticKafkaPublisher } =
    require('../../lib/publish/platformatic-publisher') as typeof import('../../lib/publish/platformatic-publisher');
  /* eslint-enable @typescript-eslint/no-require-imports */
  usePublisherFactory((options) => new PlatformaticKafkaPublisher(options));
}

function load(): Handler {
  if (!handlerFile) throw new Error('worker: no handler file given');
  chooseKafkaClient();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(handlerFile) as Record<string, unknown>;
  const fn = module[handlerExport];
  if (typeof fn !== 'function') throw new Error(`${handlerFile} exports no function "${handlerExport}"`);
  return fn as Handler;
}

function context(message: InvokeMessage): Record<string, unknown> {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:123456789012:function:${functionName}`,
    memoryLimitInMB: memorySize,
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${randomUUID()}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
}

process.on('message', (message: InvokeMessage) => {
  if (message.type !== 'invoke') return;
  void (async () => {
    try {
      handler ??= load();
      const result = await handler(message.event, context(message));
      process.send?.({ type: 'result', id: message.id, ok: true, result: result ?? null });
    } catch (error) {
      const e = error as Error;
      process.send?.({
        type: 'result',
        id: message.id,
        ok: false,
        error: { name: e?.name ?? 'Error', message: e?.message ?? String(error), stack: e?.stack },
      });
    }
  })();
});

process.send?.({ type: 'ready' });
