export type CompatibilityMode =
  | 'NONE'
  | 'DISABLED'
  | 'BACKWARD'
  | 'BACKWARD_ALL'
  | 'FORWARD'
  | 'FORWARD_ALL'
  | 'FULL'
  | 'FULL_ALL';
export type VersionStatus = 'AVAILABLE' | 'PENDING' | 'FAILURE' | 'DELETING';

export interface SchemaVersion {
  readonly schemaName: string;
  readonly schemaVersionId: string;
  readonly versionNumber: number;
  readonly definition: string;
  readonly status: VersionStatus;
}

export interface SchemaInfo {
  readonly schemaName: string;
  readonly compatibility: CompatibilityMode;
  readonly latestVersionNumber: number;
}

/**
 * What the pipeline needs from a schema registry (Glue, or an in-memory fake in unit tests).
 * Adapters raise SchemaNotFoundError for unknown schemas/versions and RegistryUnavailableError
 * when the registry cannot answer.
 */
export interface SchemaRegistryPort {
  getLatestVersion(schemaName: string): Promise<SchemaVersion>;
  getVersionById(schemaVersionId: string): Promise<SchemaVersion>;
  getVersionByNumber(schemaName: string, versionNumber: number): Promise<SchemaVersion>;
  /** The id of an exact definition already registered under the schema. */
  getVersionIdByDefinition(schemaName: string, definition: string): Promise<string>;
  getSchema(schemaName: string): Promise<SchemaInfo | undefined>;
  createSchema(schemaName: string, definition: string, compatibility: CompatibilityMode): Promise<void>;
  registerVersion(
    schemaName: string,
    definition: string,
  ): Promise<{ schemaVersionId: string; versionNumber: number; status: VersionStatus }>;
  getVersionStatus(schemaVersionId: string): Promise<{ status: VersionStatus; reason?: string }>;
}
