import { setTimeout as sleep } from 'node:timers/promises';
import { parseCdcQuery } from '../cdc-query';
import type { JsonValue } from '../types';
import type { Reply, RouteRequest } from './reply';

/** `GET /cdc`: validates the query first (a bad query is always a 400), then lets the faults strike. */
export async function serveCdcPage({ url, simulator }: RouteRequest): Promise<Reply> {
  const query = parseCdcQuery(url.searchParams);
  const faults = simulator.decideResponseFaults();
  const log: Record<string, JsonValue> = {
    entity: query.entity,
    updatedSince: query.updatedSince,
    limit: query.limit,
    continued: query.after !== null,
  };
  if (faults.delayMs > 0) {
    log.slowMs = faults.delayMs;
    if (faults.hung) log.fault = 'hang';
    await sleep(faults.delayMs);
  }
  const failure = faults.failure;
  if (failure?.status === 429) {
    const body = { error: `rate limited (simulated); retry after ${failure.retryAfterSeconds} s` };
    return {
      status: 429,
      body,
      headers: { 'retry-after': String(failure.retryAfterSeconds) },
      log: { ...log, fault: 'rate429' },
    };
  }
  if (failure !== null) {
    return {
      status: failure.status,
      body: { error: `simulated server error ${failure.status}` },
      log: { ...log, fault: 'rate5xx' },
    };
  }
  const page = simulator.readPage(query);
  return {
    status: 200,
    body: page,
    log: { ...log, events: page.events.length, hasNextPage: page.nextPageToken !== null },
  };
}
