import { ChangeStore } from './change-store';
import { SimulatedClock } from './clock';
import { perEntity, type SimulatorCounters } from './counters';
import { ENTITY_MODELS, type EntityName } from './entities';
import { isoTime } from './entities/field-values';
import type { FaultSettings } from './faults';
import { LiveRecords } from './live-records';
import { PendingCommits } from './pending-commits';
import { createRandom, type Random } from './random';
import { breakSchema } from './schema-breaks';
import type { ChangeOp, JsonObject, SchemaBreakDetail, StoredVersion } from './types';

const CREATE_SHARE = 0.45;
const DELETE_SHARE = 0.07;
/** Cap on the remembered broken changes per entity, so a long live demo cannot grow without bound. */
const BROKEN_LOG_LIMIT = 10_000;
/** Picks tried for a record without a pending late change before a create is made instead. */
const FREE_PICK_ATTEMPTS = 5;

/**
 * Makes changes — creates, updates and deletes — of the sample entities and writes
 * them to the change stores. Invoices reference existing customers and payments
 * existing invoices: a create whose parent entity has no live record yet creates the
 * parent instead, and a record with live children is updated instead of deleted.
 * A late-committing change (`lateCommitRate`) waits in `PendingCommits` instead of the
 * store, and its record is left alone until it commits. The choices are determined by the
 * seed, and by which late changes have committed (wall-clock time) when a change is made.
 */
export class ChangeGenerator {
  readonly stores = perEntity(() => new ChangeStore());
  /** Every committed schema-breaking change, including ones a later change superseded (a late one joins when it commits). */
  readonly brokenChanges = perEntity((): StoredVersion[] => []);
  private readonly live = perEntity(() => new LiveRecords());
  private readonly pending = new PendingCommits();
  private readonly random: Random;
  private readonly breakRandom: Random;
  private readonly lateRandom: Random;
  private readonly clock: SimulatedClock;
  private tieEntity: EntityName | null = null;

  constructor(
    seed: number,
    startMs: number,
    private readonly faults: () => FaultSettings,
    private readonly counters: SimulatorCounters,
  ) {
    this.random = createRandom(seed, 'changes');
    this.breakRandom = createRandom(seed, 'schema-breaks');
    this.lateRandom = createRandom(seed, 'late-commits');
    this.clock = new SimulatedClock(startMs, createRandom(seed, 'clock'), () => this.faults().tieRate);
  }

  get latestUpdatedAt(): string {
    return isoTime(this.clock.latest);
  }

  /** Late changes of `entity` not committed yet. */
  lateCommitsPending(entity: EntityName): number {
    return this.pending.countOf(entity);
  }

  /**
   * Puts the late changes whose wall-clock commit time has passed (every pending one, with
   * `everything`) into the stores; returns how many. Readers call it before they read.
   */
  commitLate(everything = false): number {
    const due = everything ? this.pending.takeAll() : this.pending.takeDue();
    for (const { entity, version } of due) this.publish(entity, version);
    return due.length;
  }

  /** Appends exactly `count` changes spread over `entities` (and missing parents); returns how many each entity got. */
  generate(count: number, entities: readonly EntityName[]): Record<EntityName, number> {
    this.commitLate();
    const before = perEntity((entity) => this.counters.changesGenerated[entity].total);
    for (let n = 0; n < count; n++) this.generateOne(this.chooseEntity(entities));
    return perEntity((entity) => this.counters.changesGenerated[entity].total - before[entity]);
  }

  /**
   * Updates live records among `ids` at a strictly later time than anything so far; returns
   * how many moved. A record with a pending late change is left alone.
   */
  updateLater(entity: EntityName, ids: readonly string[]): number {
    this.commitLate();
    const live = ids.filter((id) => this.live[entity].has(id) && !this.pending.has(entity, id));
    for (const id of live) this.update(entity, id, false);
    return live.length;
  }

  /** A run of ties stays on one entity, as a bulk job touching many records of one kind would. */
  private chooseEntity(entities: readonly EntityName[]): EntityName {
    const tieEntity = this.tieEntity;
    if (tieEntity !== null && this.clock.inTieRun && entities.includes(tieEntity)) return tieEntity;
    return this.random.pick(entities);
  }

  private generateOne(entity: EntityName): void {
    const live = this.live[entity];
    const roll = this.random.next();
    const id = live.size === 0 || roll < CREATE_SHARE ? undefined : this.pickFree(entity);
    if (id === undefined) this.create(this.firstMissingAncestor(entity));
    else if (roll >= 1 - DELETE_SHARE && !live.hasChildren(id)) this.remove(entity, id);
    else this.update(entity, id, true);
  }

  /**
   * A live record without a pending late change, or undefined when a few picks find none
   * (a create is made instead). Without pending changes this is one pick, as it always was.
   */
  private pickFree(entity: EntityName): string | undefined {
    for (let attempt = 0; attempt < FREE_PICK_ATTEMPTS; attempt++) {
      const id = this.live[entity].pick(this.random);
      if (id === undefined || !this.pending.has(entity, id)) return id;
    }
    return undefined;
  }

  /** The entity to create so that a new `entity` could reference live parents: itself when they all exist. */
  private firstMissingAncestor(entity: EntityName): EntityName {
    const parent = ENTITY_MODELS[entity].parent;
    if (parent === null) return entity;
    const missing = this.firstMissingAncestor(parent.entity);
    return missing !== parent.entity || this.live[parent.entity].size === 0 ? missing : entity;
  }

  private create(entity: EntityName): void {
    const model = ENTITY_MODELS[entity];
    const parent = model.parent === null ? null : this.parentFor(model.parent.entity, model.parent.prefer);
    const updatedAtMs = this.tick(entity, true);
    const id = this.live[entity].nextId(model.idPrefix);
    const data = model.create({ id, nowMs: updatedAtMs, random: this.random, parent });
    this.live[entity].set(id, data);
    if (parent !== null && model.parent !== null) this.live[model.parent.entity].adjustChildren(parent.id, 1);
    this.counters.changesGenerated[entity].creates++;
    this.record(entity, id, 'UPSERT', updatedAtMs, data);
  }

  private parentFor(
    entity: EntityName,
    prefer: ((data: JsonObject) => boolean) | undefined,
  ): { id: string; data: JsonObject } {
    const id = this.live[entity].pickPreferring(this.random, prefer);
    const data = id === undefined ? undefined : this.live[entity].dataOf(id);
    if (id === undefined || data === undefined) throw new Error(`no live ${entity} to reference`);
    return { id, data };
  }

  private update(entity: EntityName, id: string, allowTie: boolean): void {
    const previous = this.live[entity].dataOf(id);
    if (previous === undefined) throw new Error(`${entity} ${id} is not live`);
    const updatedAtMs = this.tick(entity, allowTie && !this.changedAtLatest(entity, id));
    const data = ENTITY_MODELS[entity].update(previous, { nowMs: updatedAtMs, random: this.random });
    this.live[entity].set(id, data);
    this.counters.changesGenerated[entity].updates++;
    this.record(entity, id, 'UPSERT', updatedAtMs, data);
  }

  private remove(entity: EntityName, id: string): void {
    const parent = ENTITY_MODELS[entity].parent;
    const parentId = parent === null ? undefined : this.live[entity].dataOf(id)?.[parent.field];
    if (parent !== null && typeof parentId === 'string') this.live[parent.entity].adjustChildren(parentId, -1);
    this.live[entity].remove(id);
    this.counters.changesGenerated[entity].deletes++;
    this.record(entity, id, 'DELETE', this.tick(entity, !this.changedAtLatest(entity, id)), null);
  }

  /**
   * Whether the record's last change is at the clock's current time. Its next change then gets
   * a later time: a record's `updatedAt` increases with each of its changes, so its latest state
   * is well defined. (Two changes of one id at one `updatedAt` would be ordered by eventId, as
   * DESIGN.md boundary 6 says, which need not be the order they were made in.)
   */
  private changedAtLatest(entity: EntityName, id: string): boolean {
    return this.stores[entity].get(id)?.updatedAtMs === this.clock.latest;
  }

  private tick(entity: EntityName, allowTie: boolean): number {
    const tick = this.clock.tick({ allowTie });
    if (tick.opensTieRun) this.tieEntity = entity;
    return tick.updatedAtMs;
  }

  private record(entity: EntityName, id: string, op: ChangeOp, updatedAtMs: number, data: JsonObject | null): void {
    const faults = this.faults();
    // One draw per change whatever the rate, so turning schema breaks on keeps the rest of the run identical.
    const breaks = this.breakRandom.chance(faults.schemaBreakRate) && data !== null;
    // Likewise for late commits: their own stream, one draw per change.
    const late = this.lateRandom.chance(faults.lateCommitRate);
    let served = data;
    let schemaBreak: SchemaBreakDetail | null = null;
    if (breaks && data !== null) {
      ({ data: served, detail: schemaBreak } = breakSchema(
        data,
        this.breakRandom.pick(ENTITY_MODELS[entity].schemaBreaks),
      ));
    }
    const version: StoredVersion = {
      id,
      op,
      updatedAt: isoTime(updatedAtMs),
      updatedAtMs,
      data: served,
      broken: breaks ? 'SCHEMA' : null,
      schemaBreak,
    };
    this.counters.changesGenerated[entity].total++;
    if (breaks) {
      this.counters.changesGenerated[entity].schemaBroken++;
      this.counters.faultsInjected.schemaBreak++;
    }
    if (late) {
      this.pending.hold(entity, version, faults.lateCommitMs);
      this.counters.faultsInjected.lateCommit++;
    } else this.publish(entity, version);
  }

  /** Makes a change visible to readers: in the store and, if it breaks the schema, in the broken log. */
  private publish(entity: EntityName, version: StoredVersion): void {
    this.stores[entity].put(version);
    const log = this.brokenChanges[entity];
    if (version.broken !== null && log.length < BROKEN_LOG_LIMIT) log.push(version);
  }
}
