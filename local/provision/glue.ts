import {
  AlreadyExistsException,
  CreateDatabaseCommand,
  CreateRegistryCommand,
  GetRegistryCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { type CompatibilityMode, GlueSchemaRegistry, registerSchema } from '../../lib/registry';
import { localClientConfig } from '../../stage/local-aws';
import type { PhysicalResource } from '../serverless/intrinsics';

/** AWS::Glue::Database → CreateDatabase (moto's Data Catalog; the jobs register their tables in it). Idempotent. */
export async function provisionCatalogDatabase(props: {
  DatabaseInput: { Name: string; Description?: string; LocationUri?: string };
}): Promise<PhysicalResource> {
  const glue = new GlueClient(localClientConfig());
  try {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: props.DatabaseInput }));
  } catch (error) {
    if (!(error instanceof AlreadyExistsException)) throw error;
  } finally {
    glue.destroy();
  }
  return { ref: props.DatabaseInput.Name, attributes: {} };
}

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
 * AWS::Glue::Schema → the same registration as `npm run schemas:register`: created when
 * missing, a new version when the file changed (after our compatibility check), else nothing.
 */
export async function provisionSchema(props: {
  Name: string;
  Registry: { Arn: string };
  Compatibility: CompatibilityMode;
  SchemaDefinition: string;
}): Promise<PhysicalResource> {
  const glue = new GlueClient(localClientConfig());
  try {
    const registryName = String(props.Registry.Arn.split('/').pop());
    await registerSchema(new GlueSchemaRegistry(glue, registryName), {
      schemaName: props.Name,
      definition: props.SchemaDefinition,
      compatibility: props.Compatibility,
    });
    const arn = props.Registry.Arn.replace(':registry/', ':schema/') + `/${props.Name}`;
    return { ref: arn, attributes: { Arn: arn } };
  } finally {
    glue.destroy();
  }
}
