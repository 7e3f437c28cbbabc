import type { Type } from 'avsc';
import { compileSchema } from '../avro';
import type { Logger } from '../log';
import type { SchemaRegistryPort, SchemaVersion } from './port';
import { TtlCache } from './ttl-cache';

export interface CompiledVersion extends SchemaVersion {
  readonly type: Type;
}

export interface SchemaCacheOptions {
  /** How long "the latest version of a schema" is trusted before asking Glue again. */
  readonly latestTtlMs: number;
  readonly maxEntries: number;
  readonly log?: Logger;
  readonly now?: () => number;
}

/**
 * Schema lookups for producers and consumers: latest version per schema name, version by id,
 * version id by definition. Each version is compiled once; a version's content never changes,
 * so only "latest" needs a short TTL. When Glue is unreachable, expired entries keep serving
 * and the outage is logged once.
 */
export class SchemaCache {
  private readonly latestBySchema: TtlCache<string, CompiledVersion>;
  private readonly byVersionId: TtlCache<string, CompiledVersion>;
  private readonly idByDefinition: TtlCache<string, string>;
  private readonly compiled = new Map<string, Type>();

  constructor(
    private readonly registry: SchemaRegistryPort,
    private readonly options: SchemaCacheOptions,
  ) {
    const common = {
      maxEntries: options.maxEntries,
      now: options.now,
      onStaleServe: (error: unknown) =>
        options.log?.warn('schema registry unavailable: serving cached schemas past their TTL', { error }),
      onRecovered: () => options.log?.info('schema registry reachable again'),
    };
    this.latestBySchema = new TtlCache({ ...common, ttlMs: options.latestTtlMs });
    // Versions are immutable: the TTL only bounds how long an unused one stays in memory.
    this.byVersionId = new TtlCache({ ...common, ttlMs: 24 * 3_600_000 });
    this.idByDefinition = new TtlCache({ ...common, ttlMs: 24 * 3_600_000 });
  }

  latest(schemaName: string): Promise<CompiledVersion> {
    return this.latestBySchema.get(schemaName, async () =>
      this.compile(await this.registry.getLatestVersion(schemaName)),
    );
  }

  version(schemaVersionId: string): Promise<CompiledVersion> {
    return this.byVersionId.get(schemaVersionId, async () =>
      this.compile(await this.registry.getVersionById(schemaVersionId)),
    );
  }

  /** The latest version when the cache holds it fresh: the hit path, without a promise. */
  cachedLatest(schemaName: string): CompiledVersion | undefined {
    return this.latestBySchema.peek(schemaName);
  }

  /** A version by id when the cache holds it: the hit path, without a promise. */
  cachedVersion(schemaVersionId: string): CompiledVersion | undefined {
    return this.byVersionId.peek(schemaVersionId);
  }

  versionIdFor(schemaName: string, definition: string): Promise<string> {
    return this.idByDefinition.get(`${schemaName}\u0000${definition}`, () =>
      this.registry.getVersionIdByDefinition(schemaName, definition),
    );
  }

  /** Number of distinct versions compiled so far (each exactly once). */
  get compiledVersions(): number {
    return this.compiled.size;
  }

  private compile(version: SchemaVersion): CompiledVersion {
    let type = this.compiled.get(version.schemaVersionId);
    if (type === undefined) {
      type = compileSchema(version.definition);
      this.compiled.set(version.schemaVersionId, type);
      while (this.compiled.size > this.options.maxEntries)
        this.compiled.delete(this.compiled.keys().next().value as string);
    }
    return { ...version, type };
  }
}
