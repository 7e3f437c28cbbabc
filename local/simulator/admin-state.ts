import type { ChangeGenerator } from './change-generator';
import type { ChangeCounts, SimulatorCounters } from './counters';
import type { EntityName } from './entities';
import type { FaultSettings } from './faults';
import type { MalformedEntry } from './malformed-entries';
import type { ChangeEvent, SchemaBreakDetail, StoredVersion } from './types';

export type BrokenMark = 'SCHEMA' | 'MALFORMED';

export interface RecordState extends ChangeEvent {
  broken: BrokenMark | null;
  schemaBreak: SchemaBreakDetail | null;
}

export interface EntityState {
  /**
   * The expected final state: every id with its latest committed version, in `(updatedAt, id)`
   * order. A late change still pending is not here (its record shows its previous version).
   */
  records: RecordState[];
  /** Every schema-breaking change committed, including ones a later change superseded (a late one once it commits). */
  brokenChanges: RecordState[];
  /** Junk entries slipped into pages (most recent 1000). */
  malformedServed: (MalformedEntry & { broken: 'MALFORMED' })[];
  counts: ChangeCounts;
  /** Late changes (`lateCommitRate`) generated but not committed yet: counted in `counts`, not in `records`. */
  lateCommitsPending: number;
}

/** The body of `GET /admin/state`: what a test reconciles the pipeline's output against. */
export interface SimulatorState {
  seed: number;
  latestUpdatedAt: string;
  faults: FaultSettings;
  counters: Omit<SimulatorCounters, 'changesGenerated'>;
  entities: Partial<Record<EntityName, EntityState>>;
}

export interface StateSources {
  seed: number;
  faults: FaultSettings;
  counters: SimulatorCounters;
  generator: ChangeGenerator;
  malformedServed: Record<EntityName, MalformedEntry[]>;
}

export function describeState(sources: StateSources, entities: readonly EntityName[]): SimulatorState {
  const { changesGenerated, ...counters } = sources.counters;
  const state: SimulatorState = {
    seed: sources.seed,
    latestUpdatedAt: sources.generator.latestUpdatedAt,
    faults: { ...sources.faults },
    counters: structuredClone(counters),
    entities: {},
  };
  for (const entity of entities) {
    state.entities[entity] = {
      records: sources.generator.stores[entity].all().map(toRecordState),
      brokenChanges: sources.generator.brokenChanges[entity].map(toRecordState),
      malformedServed: sources.malformedServed[entity].map((entry) => ({ ...entry, broken: 'MALFORMED' })),
      counts: { ...changesGenerated[entity] },
      lateCommitsPending: sources.generator.lateCommitsPending(entity),
    };
  }
  return state;
}

function toRecordState(version: StoredVersion): RecordState {
  const { id, op, updatedAt, data, broken, schemaBreak } = version;
  return { id, op, updatedAt, data, broken, schemaBreak };
}
