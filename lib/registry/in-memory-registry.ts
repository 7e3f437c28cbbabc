import { randomUUID } from 'node:crypto';
import { RegistryUnavailableError, SchemaNotFoundError } from './errors';
import type { CompatibilityMode, SchemaInfo, SchemaRegistryPort, SchemaVersion, VersionStatus } from './port';

/** The registry port in memory, for unit tests and benchmarks: counts calls, can be taken "down", can walk a version through PENDING to FAILURE. */
export class InMemorySchemaRegistry implements SchemaRegistryPort {
  readonly calls: string[] = [];
  down = false;
  /** Status the next registered versions get, and what getVersionStatus answers afterwards. */
  nextStatuses: VersionStatus[] = [];
  private readonly schemas = new Map<string, { compatibility: CompatibilityMode; versions: SchemaVersion[] }>();
  private readonly statusById = new Map<string, VersionStatus[]>();

  seed(schemaName: string, ...definitions: string[]): SchemaVersion[] {
    for (const definition of definitions) this.add(schemaName, definition, 'BACKWARD', 'AVAILABLE');
    return this.schemas.get(schemaName)?.versions ?? [];
  }

  private add(
    schemaName: string,
    definition: string,
    compatibility: CompatibilityMode,
    status: VersionStatus,
  ): SchemaVersion {
    const schema = this.schemas.get(schemaName) ?? { compatibility, versions: [] };
    this.schemas.set(schemaName, schema);
    const version = {
      schemaName,
      schemaVersionId: randomUUID(),
      versionNumber: schema.versions.length + 1,
      definition,
      status,
    };
    schema.versions.push(version);
    return version;
  }

  private enter(call: string): void {
    this.calls.push(call);
    if (this.down) throw new RegistryUnavailableError(`${call}: registry down (in memory)`);
  }

  private find(schemaName: string): { compatibility: CompatibilityMode; versions: SchemaVersion[] } {
    const schema = this.schemas.get(schemaName);
    if (!schema) throw new SchemaNotFoundError(`schema ${schemaName} not found (in memory)`);
    return schema;
  }

  async getLatestVersion(schemaName: string): Promise<SchemaVersion> {
    this.enter(`latest:${schemaName}`);
    const available = this.find(schemaName).versions.filter((v) => v.status === 'AVAILABLE');
    const latest = available[available.length - 1];
    if (!latest) throw new SchemaNotFoundError(`${schemaName} has no available version (in memory)`);
    return latest;
  }

  async getVersionById(id: string): Promise<SchemaVersion> {
    this.enter(`byId:${id}`);
    for (const schema of this.schemas.values()) {
      const found = schema.versions.find((v) => v.schemaVersionId === id);
      if (found) return found;
    }
    throw new SchemaNotFoundError(`version ${id} not found (in memory)`);
  }

  async getVersionByNumber(schemaName: string, versionNumber: number): Promise<SchemaVersion> {
    this.enter(`byNumber:${schemaName}:${versionNumber}`);
    const found = this.find(schemaName).versions.find((v) => v.versionNumber === versionNumber);
    if (!found) throw new SchemaNotFoundError(`${schemaName} v${versionNumber} not found (in memory)`);
    return found;
  }

  async getVersionIdByDefinition(schemaName: string, definition: string): Promise<string> {
    this.enter(`byDefinition:${schemaName}`);
    const found = this.find(schemaName).versions.find((v) => v.definition === definition);
    if (!found) throw new SchemaNotFoundError(`no such definition (in memory)`);
    return found.schemaVersionId;
  }

  async getSchema(schemaName: string): Promise<SchemaInfo | undefined> {
    this.enter(`schema:${schemaName}`);
    const schema = this.schemas.get(schemaName);
    return schema && { schemaName, compatibility: schema.compatibility, latestVersionNumber: schema.versions.length };
  }

  async createSchema(schemaName: string, definition: string, compatibility: CompatibilityMode): Promise<void> {
    this.enter(`create:${schemaName}`);
    this.add(schemaName, definition, compatibility, 'AVAILABLE');
  }

  async registerVersion(
    schemaName: string,
    definition: string,
  ): Promise<{ schemaVersionId: string; versionNumber: number; status: VersionStatus }> {
    this.enter(`register:${schemaName}`);
    const statuses: VersionStatus[] = this.nextStatuses.length > 0 ? [...this.nextStatuses] : ['AVAILABLE'];
    const version = this.add(
      schemaName,
      definition,
      this.find(schemaName).compatibility,
      statuses[statuses.length - 1] ?? 'AVAILABLE',
    );
    this.statusById.set(version.schemaVersionId, statuses);
    return {
      schemaVersionId: version.schemaVersionId,
      versionNumber: version.versionNumber,
      status: this.nextStatusOf(statuses),
    };
  }

  /** Walks a version through its statuses; the last one sticks. */
  private nextStatusOf(statuses: VersionStatus[]): VersionStatus {
    return (statuses.length > 1 ? statuses.shift() : statuses[0]) ?? 'AVAILABLE';
  }

  async getVersionStatus(id: string): Promise<{ status: VersionStatus; reason?: string }> {
    this.enter(`status:${id}`);
    const status = this.nextStatusOf(this.statusById.get(id) ?? ['AVAILABLE']);
    return status === 'FAILURE' ? { status, reason: 'Compatibility check failed (in-memory Glue)' } : { status };
  }
}
