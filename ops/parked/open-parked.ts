import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { localClientConfig } from '../../stage/local-aws';
import type { OpsStage } from '../stage/ops-stage';
import { DynamoDbParkedItems } from './dynamodb-parked-items';
import type { DeadLetterListing, ParkedItems } from './ports';
import { S3DeadLetters } from './s3-dead-letters';

export interface ParkedReading {
  readonly items: ParkedItems;
  readonly deadLetters: DeadLetterListing;
  close(): void;
}

/** The stage's fallback table and raw bucket behind the inspection's ports, read-only. */
export function openParkedReading(stage: OpsStage): ParkedReading {
  const base = stage.local ? localClientConfig() : { region: stage.region };
  const dynamodb = new DynamoDBClient(base);
  const s3 = new S3Client({ ...base, forcePathStyle: stage.local });
  return {
    items: new DynamoDbParkedItems(dynamodb, s3, stage.fallbackTable),
    deadLetters: new S3DeadLetters(s3, stage.rawBucket),
    close: () => {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}
