import { AlreadyExistsException, CreateRegistryCommand, CreateSchemaCommand, GetRegistryCommand, GlueClient } from '@aws-sdk/client-glue';
import { localClientConfig } from '../aws';
import type { PhysicalResource } from '../serverless/intrinsics';

/** AWS::Glue::Registry → CreateRegistry. Idempotent. */
export async function provisionRegistry(props: { Name: string; Description?: string }): Promise<PhysicalResource> {
  const glue = new GlueClient(localClientConfig());
  try {
    try {
      await glue.send(new CreateRegistryCommand({ RegistryName: props.Name, Description: props.Description }));
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
    }
    const { RegistryArn } = await glue.send(new GetRegistryCommand({ RegistryId: { RegistryName: props.Name } }));
    return { ref: String(RegistryArn), attributes: { Arn: String(RegistryArn) } };
  } finally {
    glue.destroy();
  }
}

/**
 * AWS::Glue::Schema → CreateSchema with the file's definition as its first version, when the
 * schema does not exist yet. Later versions are registered by the schema registration step.
 */
export async function provisionSchema(props: {
  Name: string;
  Registry: { Arn: string };
  DataFormat: 'AVRO';
  Compatibility: 'BACKWARD';
  SchemaDefinition: string;
  Description?: string;
}): Promise<PhysicalResource> {
  const glue = new GlueClient(localClientConfig());
  try {
    const registryName = props.Registry.Arn.split('/').pop();
    try {
      await glue.send(new CreateSchemaCommand({
        RegistryId: { RegistryName: registryName },
        SchemaName: props.Name,
        DataFormat: props.DataFormat,
        Compatibility: props.Compatibility,
        SchemaDefinition: props.SchemaDefinition,
        Description: props.Description,
      }));
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
    }
    const arn = props.Registry.Arn.replace(':registry/', ':schema/') + `/${props.Name}`;
    return { ref: arn, attributes: { Arn: arn } };
  } finally {
    glue.destroy();
  }
}
