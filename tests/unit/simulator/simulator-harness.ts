import {
  startSimulatorServer,
  type RunningSimulator,
  type SimulatorState,
  type StartSimulatorOptions,
} from '../../../local/simulator';
import type { EntityName } from '../../../local/simulator/entities';
import type { ChangeEvent, JsonValue } from '../../../local/simulator/types';

/** The first second of the simulated clock: every generated change is at or after it. */
export const EPOCH = '2026-01-01T00:00:00.000Z';

export interface CdcPageBody {
  entity: string;
  events: JsonValue[];
  nextPageToken: string | null;
}

export interface CdcQueryParams {
  entity?: string;
  updatedSince?: string;
  limit?: number | string;
  pageToken?: string;
}

const running: RunningSimulator[] = [];

/** Starts a simulator on a free port of 127.0.0.1; `closeTestSimulators` (afterEach) stops it. */
export async function startTestSimulator(options: StartSimulatorOptions = {}): Promise<TestSimulator> {
  const simulator = await startSimulatorServer({ host: '127.0.0.1', port: 0, ...options });
  running.push(simulator);
  return new TestSimulator(simulator, options.token);
}

export async function closeTestSimulators(): Promise<void> {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
}

export class TestSimulator {
  constructor(
    readonly running: RunningSimulator,
    private readonly token: string | undefined,
  ) {}

  get url(): string {
    return this.running.url;
  }

  /** Raw `GET /cdc`; `headers` replaces the default Authorization header. */
  fetchCdc(params: CdcQueryParams, headers: Record<string, string> = this.authHeader()): Promise<Response> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
    return fetch(`${this.url}/cdc?${query.toString()}`, { headers });
  }

  async readPage(params: CdcQueryParams): Promise<CdcPageBody> {
    const response = await this.fetchCdc(params);
    if (response.status !== 200) throw new Error(`GET /cdc answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as CdcPageBody;
  }

  /** Follows nextPageToken to the end; returns every page's events in order. */
  async readAllPages(
    entity: EntityName,
    updatedSince: string,
    limit: number,
  ): Promise<{ events: ChangeEvent[]; pages: number }> {
    const events: ChangeEvent[] = [];
    let page = await this.readPage({ entity, updatedSince, limit });
    let pages = 1;
    events.push(...(page.events as unknown as ChangeEvent[]));
    while (page.nextPageToken !== null) {
      page = await this.readPage({ entity, updatedSince, pageToken: page.nextPageToken });
      pages++;
      events.push(...(page.events as unknown as ChangeEvent[]));
    }
    return { events, pages };
  }

  async admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers = { ...this.authHeader(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  async generate(count: number, entities?: EntityName[]): Promise<void> {
    const { status, body } = await this.admin('POST', '/admin/generate', { count, entities });
    if (status !== 200) throw new Error(`generate answered ${status}: ${JSON.stringify(body)}`);
  }

  async setFaults(faults: Record<string, JsonValue>): Promise<void> {
    const { status, body } = await this.admin('POST', '/admin/faults', faults);
    if (status !== 200) throw new Error(`faults answered ${status}: ${JSON.stringify(body)}`);
  }

  async state(entity?: EntityName): Promise<SimulatorState> {
    const { body } = await this.admin('GET', entity === undefined ? '/admin/state' : `/admin/state?entity=${entity}`);
    return body as SimulatorState;
  }

  private authHeader(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }
}

/** `(updatedAt, id)` order, as the contract sorts. */
export function compareChangeOrder(a: ChangeEvent, b: ChangeEvent): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Records grouped by updatedAt, largest group first: the ties. */
export function tieSizes(records: readonly { updatedAt: string }[]): number[] {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.updatedAt, (counts.get(record.updatedAt) ?? 0) + 1);
  return [...counts.values()].sort((a, b) => b - a);
}
