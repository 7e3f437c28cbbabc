import {
  CreateApplicationCommand,
  EMRServerlessClient,
  paginateListApplications,
} from '@aws-sdk/client-emr-serverless';
import { localClientConfig } from '../../stage/local-aws';
import type { PhysicalResource } from '../serverless/intrinsics';

/** AWS::EMRServerless::Application → CreateApplication, unless one of that name exists. */
export async function provisionSparkApplication(props: {
  Name: string;
  Type: string;
  ReleaseLabel: string;
}): Promise<PhysicalResource> {
  const emr = new EMRServerlessClient(localClientConfig());
  try {
    for await (const page of paginateListApplications({ client: emr }, {})) {
      const existing = page.applications?.find((a) => a.name === props.Name && a.state !== 'TERMINATED');
      if (existing?.id && existing.arn)
        return { ref: existing.id, attributes: { ApplicationId: existing.id, Arn: existing.arn } };
    }
    const created = await emr.send(
      new CreateApplicationCommand({ name: props.Name, type: props.Type, releaseLabel: props.ReleaseLabel }),
    );
    return {
      ref: String(created.applicationId),
      attributes: { ApplicationId: String(created.applicationId), Arn: String(created.arn) },
    };
  } finally {
    emr.destroy();
  }
}
