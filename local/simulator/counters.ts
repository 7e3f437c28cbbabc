import { ENTITY_NAMES, type EntityName } from './entities';

export interface ChangeCounts {
  total: number;
  creates: number;
  updates: number;
  deletes: number;
  schemaBroken: number;
}

export interface FaultCounts {
  rate429: number;
  rate5xx: number;
  slow: number;
  hang: number;
  malformed: number;
  schemaBreak: number;
  updateWhilePaging: number;
  /** Changes held back to commit late (`lateCommitRate`), committed since or not. */
  lateCommit: number;
}

/** What `GET /admin/state` reports besides the records themselves. */
export interface SimulatorCounters {
  requestsServed: number;
  responsesByStatus: Record<string, number>;
  faultsInjected: FaultCounts;
  changesGenerated: Record<EntityName, ChangeCounts>;
}

export function emptyCounters(): SimulatorCounters {
  return {
    requestsServed: 0,
    responsesByStatus: {},
    faultsInjected: {
      rate429: 0,
      rate5xx: 0,
      slow: 0,
      hang: 0,
      malformed: 0,
      schemaBreak: 0,
      updateWhilePaging: 0,
      lateCommit: 0,
    },
    changesGenerated: perEntity(() => ({ total: 0, creates: 0, updates: 0, deletes: 0, schemaBroken: 0 })),
  };
}

export function perEntity<T>(make: (entity: EntityName) => T): Record<EntityName, T> {
  return Object.fromEntries(ENTITY_NAMES.map((entity) => [entity, make(entity)])) as Record<EntityName, T>;
}
