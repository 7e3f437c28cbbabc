import type { S3Client } from '@aws-sdk/client-s3';
import { awsClients } from '../../../lib/lambda/aws-clients';

describe('awsClients', () => {
  it('makes each client it was given on first use, once, and S3 path-style on a local endpoint only', () => {
    const made: boolean[] = [];
    const s3 = (o: { forcePathStyle: boolean }) => {
      made.push(o.forcePathStyle);
      return { tag: 's3' } as unknown as S3Client;
    };
    const local = awsClients({ s3 }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' });
    expect(made).toEqual([]);
    expect(local.s3).toBe(local.s3);
    expect(made).toEqual([true]);
    void awsClients({ s3 }, {}).s3;
    expect(made).toEqual([true, false]);
  });

  it("names the client a function's wiring was not given", () => {
    expect(() => awsClients({}, {}).sns).toThrow("this function's wiring was not given the AWS sns client");
  });
});
