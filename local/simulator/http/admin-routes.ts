import { ENTITY_NAMES, isEntityName, type EntityName } from '../entities';
import { BadRequestError } from '../errors';
import type { Reply, RouteRequest } from './reply';

const MAX_GENERATE = 100_000;

/** `POST /admin/generate {count, entities?}`: appends `count` changes spread over `entities` (default all). */
export async function generateChanges({ readJson, simulator }: RouteRequest): Promise<Reply> {
  const body = asObject(await readJson());
  const count = integerField(body, 'count', 1, MAX_GENERATE);
  if (count === undefined) throw new BadRequestError(`count is required: an integer from 1 to ${MAX_GENERATE}`);
  const result = simulator.generate(count, entityList(body.entities));
  return { status: 200, body: result, log: { generated: count } };
}

/** `GET /admin/faults`: the settings in force. */
export function showFaults({ simulator }: RouteRequest): Reply {
  return { status: 200, body: simulator.faults };
}

/** `POST /admin/faults {preset?, ...settings}`: merges the named settings over the current ones. */
export async function setFaults({ readJson, simulator }: RouteRequest): Promise<Reply> {
  return { status: 200, body: simulator.setFaults(await readJson()) };
}

/** `POST /admin/reset {seed?, events?}`: empties the stores and counters, keeps the faults. */
export async function resetSimulator({ readJson, simulator }: RouteRequest): Promise<Reply> {
  const body = asObject(await readJson());
  const seed = integerField(body, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const events = integerField(body, 'events', 0, MAX_GENERATE) ?? 0;
  simulator.reset(seed);
  const result = simulator.generate(events);
  return { status: 200, body: { seed: simulator.seed, ...result } };
}

/** `POST /admin/commit-late`: commits every pending late change now (`lateCommitRate`), due or not. */
export function commitLate({ simulator }: RouteRequest): Reply {
  const committed = simulator.commitLate();
  return { status: 200, body: { committed }, log: { committed } };
}

/** `GET /admin/state[?entity=]`: expected final state and counters. */
export function showState({ url, simulator }: RouteRequest): Reply {
  const entity = url.searchParams.get('entity');
  if (entity === null || entity === '') return { status: 200, body: simulator.state() };
  if (!isEntityName(entity)) throw new BadRequestError(`unknown entity "${entity}"; one of ${ENTITY_NAMES.join(', ')}`);
  return { status: 200, body: simulator.state([entity]), log: { entity } };
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('request body must be a JSON object');
  return body as Record<string, unknown>;
}

function integerField(body: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BadRequestError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function entityList(value: unknown): EntityName[] {
  if (value === undefined) return ENTITY_NAMES;
  if (!Array.isArray(value) || value.length === 0 || !value.every(isEntityName)) {
    throw new BadRequestError(`entities must be a non-empty array of ${ENTITY_NAMES.join(', ')}`);
  }
  return value;
}
