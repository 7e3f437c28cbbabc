import { type DynamoDBClient, paginateQuery } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { FallbackStatus } from '../../lib/fallback';
import type { FallbackCensus, ParkedItemHeader } from './ports';

/** The status GSI (byStatusNextAttempt) is keyed by status: one paginated query per status, projected to what the status shows. */
export class DynamoDbFallbackCensus implements FallbackCensus {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async *itemsWithStatus(status: FallbackStatus): AsyncIterable<ParkedItemHeader> {
    const pages = paginateQuery(
      { client: this.dynamodb },
      {
        TableName: this.tableName,
        IndexName: 'byStatusNextAttempt',
        KeyConditionExpression: '#s = :s',
        ProjectionExpression: 'entity, id, #s, reason, firstSeenAt, nextAttemptAt',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: status } },
      },
    );
    for await (const page of pages) for (const item of page.Items ?? []) yield unmarshall(item) as ParkedItemHeader;
  }
}
