import { ConfigError } from '../errors';

/**
 * How an entity's source API is asked and how its answer maps onto DESIGN.md's change shape.
 * The default is DESIGN.md's contract; another API (e.g. QuickBooks-style
 * `/cdc?entities=Customer&changedSince=…`) is configured, not coded.
 */
export interface ResponseMapping {
  readonly path: string;
  readonly entityParam: string;
  /** The value sent for the entity (default: the entity's name). */
  readonly entityValue?: string;
  readonly sinceParam: string;
  readonly limitParam?: string;
  /** Dotted path to the array of records; numeric segments index arrays (`CDCResponse.0.QueryResponse.0.Customer`). */
  readonly recordsPath: string;
  readonly idField: string;
  readonly timestampField: string;
  /** The field naming the operation; absent: every record is an UPSERT unless deleteWhen matches. */
  readonly opField?: string;
  /** A record is a DELETE when this field equals this value. */
  readonly deleteWhen?: { readonly field: string; readonly equals: string };
  /** Where the entity's fields are; absent: the record itself, minus nothing. */
  readonly dataField?: string;
  readonly paging:
    | { readonly style: 'token'; readonly tokenParam: string; readonly nextTokenPath: string }
    | { readonly style: 'none' };
}

export const DEFAULT_MAPPING: ResponseMapping = {
  path: '/cdc',
  entityParam: 'entity',
  sinceParam: 'updatedSince',
  limitParam: 'limit',
  recordsPath: 'events',
  idField: 'id',
  timestampField: 'updatedAt',
  opField: 'op',
  deleteWhen: { field: 'op', equals: 'DELETE' },
  dataField: 'data',
  paging: { style: 'token', tokenParam: 'pageToken', nextTokenPath: 'nextPageToken' },
};

/** An entity's `mapping` option from params.entities, over the defaults; fails naming the setting. */
export function parseMapping(entity: string, raw: unknown): ResponseMapping {
  if (raw === undefined || raw === null) return DEFAULT_MAPPING;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`CDC_ENTITIES.${entity}.mapping`, 'must be an object');
  const merged = { ...DEFAULT_MAPPING, ...(raw as Partial<ResponseMapping>) } as ResponseMapping;
  for (const key of ['path', 'entityParam', 'sinceParam', 'recordsPath', 'idField', 'timestampField'] as const) {
    if (typeof merged[key] !== 'string' || merged[key] === '')
      throw new ConfigError(`CDC_ENTITIES.${entity}.mapping.${key}`, 'must be a non-empty string');
  }
  if (merged.paging.style !== 'token' && merged.paging.style !== 'none')
    throw new ConfigError(`CDC_ENTITIES.${entity}.mapping.paging.style`, 'must be "token" or "none"');
  return merged;
}

export function valueAt(value: unknown, dottedPath: string): unknown {
  return dottedPath.split('.').reduce<unknown>((node, segment) => {
    if (node === null || typeof node !== 'object') return undefined;
    return Array.isArray(node) ? node[Number(segment)] : (node as Record<string, unknown>)[segment];
  }, value);
}
