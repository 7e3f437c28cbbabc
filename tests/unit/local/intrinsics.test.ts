import { type PhysicalResource, resolveIntrinsics } from '../../../local/serverless/intrinsics';

const physical = new Map<string, PhysicalResource>([
  ['RawBucket', { ref: 'raw-bucket', attributes: { Arn: 'arn:aws:s3:::raw-bucket' } }],
  [
    'FallbackTable',
    { ref: 'fallback', attributes: { StreamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/fallback/stream/x' } },
  ],
]);

describe('resolving CloudFormation intrinsics for the local stack', () => {
  it('resolves Ref to the physical name', () => {
    expect(resolveIntrinsics({ Bucket: { Ref: 'RawBucket' } }, physical)).toEqual({ Bucket: 'raw-bucket' });
  });

  it('resolves Fn::GetAtt in both the list and the dotted form', () => {
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['FallbackTable', 'StreamArn'] }, physical)).toMatch(/stream\/x$/);
    expect(resolveIntrinsics({ 'Fn::GetAtt': 'RawBucket.Arn' }, physical)).toBe('arn:aws:s3:::raw-bucket');
  });

  it('resolves Fn::Sub with attributes and pseudo parameters', () => {
    expect(resolveIntrinsics({ 'Fn::Sub': '${RawBucket.Arn}/raw/*' }, physical)).toBe('arn:aws:s3:::raw-bucket/raw/*');
    expect(
      resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}' }, physical),
    ).toBe('arn:aws:logs:us-east-1:123456789012');
  });

  it('resolves nested values inside lists and objects', () => {
    expect(resolveIntrinsics({ Resource: [{ Ref: 'RawBucket' }, 'plain'] }, physical)).toEqual({
      Resource: ['raw-bucket', 'plain'],
    });
  });

  it('fails on a reference to a resource that was not provisioned', () => {
    expect(() => resolveIntrinsics({ Ref: 'LakeBucket' }, physical)).toThrow(
      'LakeBucket is referenced but has not been provisioned locally',
    );
  });

  it('fails on an intrinsic it does not know instead of passing it through', () => {
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, physical)).toThrow(
      'intrinsic Fn::ImportValue is not supported by the local provisioner',
    );
  });
});
