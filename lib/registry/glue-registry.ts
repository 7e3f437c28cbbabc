import {
  CreateSchemaCommand,
  EntityNotFoundException,
  GetSchemaByDefinitionCommand,
  GetSchemaCommand,
  GetSchemaVersionCommand,
  type GetSchemaVersionCommandOutput,
  type GlueClient,
  RegisterSchemaVersionCommand,
  type SchemaVersionNumber,
} from '@aws-sdk/client-glue';
import { RegistryUnavailableError, SchemaNotFoundError } from './errors';
import type { CompatibilityMode, SchemaInfo, SchemaRegistryPort, SchemaVersion, VersionStatus } from './port';

/** The Glue Schema Registry behind the registry port. The client is created once per container. */
export class GlueSchemaRegistry implements SchemaRegistryPort {
  constructor(
    private readonly glue: GlueClient,
    private readonly registryName: string,
  ) {}

  private schemaId(schemaName: string): { RegistryName: string; SchemaName: string } {
    return { RegistryName: this.registryName, SchemaName: schemaName };
  }

  /** A version of a schema, by name and number (or latest); `what` names it in errors. */
  private versionOf(schemaName: string, number: SchemaVersionNumber, what: string): Promise<SchemaVersion> {
    return this.call(what, async () =>
      toVersion(
        schemaName,
        await this.glue.send(
          new GetSchemaVersionCommand({ SchemaId: this.schemaId(schemaName), SchemaVersionNumber: number }),
        ),
      ),
    );
  }

  async getLatestVersion(schemaName: string): Promise<SchemaVersion> {
    return this.versionOf(schemaName, { LatestVersion: true }, `latest version of ${schemaName}`);
  }

  async getVersionById(schemaVersionId: string): Promise<SchemaVersion> {
    return this.call(`schema version ${schemaVersionId}`, async () => {
      const out = await this.glue.send(new GetSchemaVersionCommand({ SchemaVersionId: schemaVersionId }));
      return toVersion(String(out.SchemaArn).split('/').pop() ?? '', out);
    });
  }

  async getVersionByNumber(schemaName: string, versionNumber: number): Promise<SchemaVersion> {
    return this.versionOf(schemaName, { VersionNumber: versionNumber }, `version ${versionNumber} of ${schemaName}`);
  }

  async getVersionIdByDefinition(schemaName: string, definition: string): Promise<string> {
    return this.call(`the definition's version of ${schemaName}`, async () => {
      const out = await this.glue.send(
        new GetSchemaByDefinitionCommand({ SchemaId: this.schemaId(schemaName), SchemaDefinition: definition }),
      );
      if (!out.SchemaVersionId) throw new SchemaNotFoundError(`${schemaName} has no version with this definition`);
      return out.SchemaVersionId;
    });
  }

  async getSchema(schemaName: string): Promise<SchemaInfo | undefined> {
    try {
      const out = await this.call(`schema ${schemaName}`, () =>
        this.glue.send(new GetSchemaCommand({ SchemaId: this.schemaId(schemaName) })),
      );
      return {
        schemaName,
        compatibility: out.Compatibility as CompatibilityMode,
        latestVersionNumber: Number(out.LatestSchemaVersion ?? 0),
      };
    } catch (error) {
      if (error instanceof SchemaNotFoundError) return undefined;
      throw error;
    }
  }

  async createSchema(schemaName: string, definition: string, compatibility: CompatibilityMode): Promise<void> {
    await this.call(`creating ${schemaName}`, () =>
      this.glue.send(
        new CreateSchemaCommand({
          RegistryId: { RegistryName: this.registryName },
          SchemaName: schemaName,
          DataFormat: 'AVRO',
          Compatibility: compatibility,
          SchemaDefinition: definition,
        }),
      ),
    );
  }

  async registerVersion(
    schemaName: string,
    definition: string,
  ): Promise<{ schemaVersionId: string; versionNumber: number; status: VersionStatus }> {
    const out = await this.call(`registering a version of ${schemaName}`, () =>
      this.glue.send(
        new RegisterSchemaVersionCommand({ SchemaId: this.schemaId(schemaName), SchemaDefinition: definition }),
      ),
    );
    return {
      schemaVersionId: String(out.SchemaVersionId),
      versionNumber: Number(out.VersionNumber),
      status: out.Status as VersionStatus,
    };
  }

  async getVersionStatus(schemaVersionId: string): Promise<{ status: VersionStatus; reason?: string }> {
    const version = await this.getVersionById(schemaVersionId);
    return { status: version.status };
  }

  /** One place maps Glue's failures onto the pipeline's typed errors. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof SchemaNotFoundError) throw error;
      if (error instanceof EntityNotFoundException)
        throw new SchemaNotFoundError(`${what}: not found in registry ${this.registryName} (${error.message})`);
      if (isUnavailable(error))
        throw new RegistryUnavailableError(
          `${what}: Glue Schema Registry unavailable: ${(error as Error).message}`,
          error,
        );
      throw error;
    }
  }
}

function toVersion(schemaName: string, out: GetSchemaVersionCommandOutput): SchemaVersion {
  return {
    schemaName,
    schemaVersionId: String(out.SchemaVersionId),
    versionNumber: Number(out.VersionNumber),
    definition: String(out.SchemaDefinition),
    status: (out.Status ?? 'AVAILABLE') as VersionStatus,
  };
}

function isUnavailable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e.$metadata?.httpStatusCode;
  return (
    e.$retryable !== undefined ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    ['ThrottlingException', 'InternalServiceException', 'TimeoutError'].includes(String(e.name)) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(String(e.code)) ||
    (status === undefined && e.name !== undefined && /network|socket|connect/i.test(String((error as Error).message)))
  );
}
