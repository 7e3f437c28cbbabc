export type { CompatibilityMode, SchemaInfo, SchemaRegistryPort, SchemaVersion, VersionStatus } from './port';
export { GlueSchemaRegistry } from './glue-registry';
export { SchemaCache, type CompiledVersion, type SchemaCacheOptions } from './schema-cache';
export { TtlCache, type TtlCacheOptions } from './ttl-cache';
export { RegistryUnavailableError, SchemaIncompatibleError, SchemaNotFoundError } from './errors';
export { findIncompatibility } from './compatibility';
export { registerSchema, type RegistrationOutcome, type RegistrationOptions, type SchemaToRegister } from './register';
export { InMemorySchemaRegistry } from './in-memory-registry';
