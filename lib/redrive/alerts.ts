import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

/** Where operators hear about events that could not be saved. */
export interface AlertPort {
  publish(subject: string, message: string): Promise<void>;
}

export class SnsAlerts implements AlertPort {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(subject: string, message: string): Promise<void> {
    // SNS subjects are at most 100 characters.
    await this.sns.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: subject.slice(0, 100), Message: message }),
    );
  }
}

export class InMemoryAlerts implements AlertPort {
  readonly sent: { subject: string; message: string }[] = [];

  async publish(subject: string, message: string): Promise<void> {
    this.sent.push({ subject, message });
  }
}
