export { HttpSource, retryAfterMs, type HttpSourceOptions, type Source, type SourcePage } from './http-source';
export { InMemorySource, type InMemorySourceOptions, type PageQuery } from './in-memory-source';
export { DEFAULT_MAPPING, parseMapping, valueAt, type ResponseMapping } from './mapping';
export { normalizeEntry, MAX_CLOCK_SKEW_MS, type SourceEntry } from './normalize';
export { pagesOf, readAhead, type PaginationLimits } from './paginate';
export { SourceError } from './errors';
export { ssmToken, staticToken, type TokenProvider } from './token';
