import { describeState, type SimulatorState } from './admin-state';
import type { CdcQuery } from './cdc-query';
import { ChangeGenerator } from './change-generator';
import { emptyCounters, perEntity, type SimulatorCounters } from './counters';
import { ENTITY_NAMES, type EntityName } from './entities';
import { applyFaultPatch, NO_FAULTS, type FaultSettings } from './faults';
import { LiveFeed } from './live-feed';
import type { MalformedEntry } from './malformed-entries';
import { encodePageToken } from './page-token';
import { RequestFaults, type ResponseFaults } from './request-faults';
import type { ChangeEvent, JsonValue, StoredVersion } from './types';

export const DEFAULT_SEED = 1;
export const DEFAULT_START_TIME = '2026-01-01T00:00:00.000Z';
const MALFORMED_LOG_LIMIT = 1000;

export interface SimulatorOptions {
  seed?: number;
  /** Where the simulated clock starts; changes are stamped after it. */
  startTime?: string;
  faults?: Partial<FaultSettings>;
  /** Changes generated right away, spread over all entities. */
  initialEvents?: number;
}

/** The body of a `GET /cdc` answer (DESIGN.md, Boundary 1). */
export interface CdcPage {
  entity: EntityName;
  /** Real changes, plus any malformed junk entry the malformed fault slipped in. */
  events: (ChangeEvent | JsonValue)[];
  nextPageToken: string | null;
}

export interface GenerateResult {
  generated: Record<EntityName, number>;
  latestUpdatedAt: string;
}

/**
 * The simulated source system: its data, its clock and its faults, with no HTTP in
 * sight. `http/` adapts it to the wire; tests can also drive it directly.
 */
export class Simulator {
  private currentSeed: number;
  private settings: FaultSettings;
  private counters: SimulatorCounters = emptyCounters();
  private generator!: ChangeGenerator;
  private requestFaults!: RequestFaults;
  private malformedServed = perEntity((): MalformedEntry[] => []);
  private readonly startMs: number;
  private readonly liveFeed = new LiveFeed((count) => this.generate(count));

  constructor(options: SimulatorOptions = {}) {
    this.currentSeed = options.seed ?? DEFAULT_SEED;
    this.startMs = Date.parse(options.startTime ?? DEFAULT_START_TIME);
    if (Number.isNaN(this.startMs)) throw new Error(`startTime "${options.startTime}" is not an ISO-8601 date-time`);
    this.settings = applyFaultPatch(NO_FAULTS, options.faults ?? {});
    this.reset(this.currentSeed);
    this.liveFeed.setRate(this.settings.liveRate);
    if (options.initialEvents !== undefined && options.initialEvents > 0) this.generate(options.initialEvents);
  }

  get seed(): number {
    return this.currentSeed;
  }

  get faults(): FaultSettings {
    return { ...this.settings };
  }

  /** Validates and applies a settings patch (see `applyFaultPatch`); returns the settings now in force. */
  setFaults(patch: unknown): FaultSettings {
    this.settings = applyFaultPatch(this.settings, patch);
    this.liveFeed.setRate(this.settings.liveRate);
    return this.faults;
  }

  /** Empties every store and zeroes the counters; fault settings stay as they are. */
  reset(seed: number = this.currentSeed): void {
    this.currentSeed = seed;
    this.counters = emptyCounters();
    this.malformedServed = perEntity(() => []);
    this.generator = new ChangeGenerator(seed, this.startMs, () => this.settings, this.counters);
    this.requestFaults = new RequestFaults(seed, () => this.settings, this.counters.faultsInjected);
  }

  generate(count: number, entities: readonly EntityName[] = ENTITY_NAMES): GenerateResult {
    const generated = this.generator.generate(count, entities);
    return { generated, latestUpdatedAt: this.generator.latestUpdatedAt };
  }

  /** Updates these live records now, each strictly later than any change so far; returns how many moved. */
  update(entity: EntityName, ids: readonly string[]): number {
    return this.generator.updateLater(entity, ids);
  }

  /** The delay and failure (429 / 5xx) this `/cdc` request gets, if any. */
  decideResponseFaults(): ResponseFaults {
    return this.requestFaults.decideResponse();
  }

  /** Commits every pending late change now, due or not (`lateCommitRate`); returns how many. */
  commitLate(): number {
    return this.generator.commitLate(true);
  }

  readPage(query: CdcQuery): CdcPage {
    this.generator.commitLate();
    if (query.after !== null) this.maybeUpdateWhilePaging(query);
    const { versions, hasMore } = this.generator.stores[query.entity].page(query);
    const changes = versions.map(({ id, op, updatedAt, data }): ChangeEvent => ({ id, op, updatedAt, data }));
    const last = versions.at(-1);
    const nextPageToken = hasMore && last !== undefined ? encodePageToken({ ...query, last }) : null;
    return { entity: query.entity, events: this.withMalformedEntry(query.entity, changes), nextPageToken };
  }

  /** What readers can see now: late changes whose commit time has passed are committed first. */
  state(entities: readonly EntityName[] = ENTITY_NAMES): SimulatorState {
    this.generator.commitLate();
    const { currentSeed: seed, settings: faults, counters, generator, malformedServed } = this;
    return describeState({ seed, faults, counters, generator, malformedServed }, entities);
  }

  noteResponse(status: number): void {
    this.counters.requestsServed++;
    const key = String(status);
    this.counters.responsesByStatus[key] = (this.counters.responsesByStatus[key] ?? 0) + 1;
  }

  /** Stops live generation; nothing else holds resources. */
  close(): void {
    this.liveFeed.stop();
  }

  /** The realistic "updated while you page" case: records already served move past the client's cursor. */
  private maybeUpdateWhilePaging(query: CdcQuery): void {
    if (query.after === null || !this.requestFaults.movesWhilePaging()) return;
    const served = this.generator.stores[query.entity].servedUpTo(query.sinceMs, query.after);
    const live = served.filter((version: StoredVersion) => version.op === 'UPSERT');
    const moved = this.generator.updateLater(query.entity, this.requestFaults.pickRecordsToMove(live));
    this.requestFaults.noteMovedWhilePaging(moved);
  }

  private withMalformedEntry(entity: EntityName, changes: ChangeEvent[]): (ChangeEvent | JsonValue)[] {
    const junk = this.requestFaults.malformedEntryFor(changes[0]);
    if (junk === null) return changes;
    const events: (ChangeEvent | JsonValue)[] = [...changes];
    events.splice(this.requestFaults.malformedPosition(events.length), 0, junk.entry);
    const log = this.malformedServed[entity];
    log.push(junk);
    if (log.length > MALFORMED_LOG_LIMIT) log.shift();
    return events;
  }
}
