import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { localClientConfig } from '../../stage/local-aws';
import type { PhysicalResource } from '../serverless/intrinsics';

/** Locally, alerts published to a topic land in this queue, where tests and the demo read them. */
export function alertObserverQueueName(topicName: string): string {
  return `${topicName}-observer`;
}

/**
 * AWS::SNS::Topic → CreateTopic (idempotent by name), plus an SQS queue subscribed to it
 * so that alerts can be observed on the local stack.
 */
export async function provisionTopic(props: { TopicName: string; DisplayName?: string }): Promise<PhysicalResource> {
  const sns = new SNSClient(localClientConfig());
  const sqs = new SQSClient(localClientConfig());
  try {
    const attributes = props.DisplayName ? { DisplayName: props.DisplayName } : undefined;
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: props.TopicName, Attributes: attributes }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: alertObserverQueueName(props.TopicName) }));
    const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    // Subscribe is idempotent for the same topic/protocol/endpoint.
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: queue.Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    return { ref: String(TopicArn), attributes: { TopicArn: String(TopicArn), TopicName: props.TopicName } };
  } finally {
    sns.destroy();
    sqs.destroy();
  }
}
