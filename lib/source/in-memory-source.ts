import { DEFAULT_MAPPING, type ResponseMapping } from './mapping';
import { pageOf } from './page';
import type { Source, SourcePage } from './http-source';

/** What a source is asked for one page: DESIGN.md boundary 1's query parameters. */
export interface PageQuery {
  readonly entity: string;
  readonly updatedSince: string;
  readonly pageToken: string | null;
  readonly limit: number;
}

export interface InMemorySourceOptions {
  readonly pageLimit: number;
  readonly mappingOf?: (entity: string) => ResponseMapping;
  readonly now?: () => number;
}

/**
 * The source port without HTTP, for core tests: each page's response body comes from `answer`
 * (a source model in the same process), copied as JSON travels and read through the entity's
 * response mapping exactly as HttpSource reads it. No status codes, retries or size limits:
 * those are HttpSource's, tested against the HTTP simulator.
 */
export class InMemorySource implements Source {
  constructor(
    private readonly answer: (query: PageQuery) => unknown,
    private readonly options: InMemorySourceOptions,
  ) {}

  async fetchPage(entity: string, since: string, pageToken: string | null): Promise<SourcePage> {
    const body: unknown = JSON.parse(
      JSON.stringify(this.answer({ entity, updatedSince: since, pageToken, limit: this.options.pageLimit })),
    );
    const mapping = this.options.mappingOf?.(entity) ?? DEFAULT_MAPPING;
    return pageOf(body, mapping, mapping.path, this.options.now?.() ?? Date.now());
  }
}
