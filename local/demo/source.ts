/** Minimal client of the simulator for the demo's stub path (the real source client is the poller's). */
export interface SourceEvent {
  id: string;
  op: 'UPSERT' | 'DELETE';
  updatedAt: string;
  data: Record<string, unknown> | null;
}

export async function resetSimulator(baseUrl: string, seed: number, count: number): Promise<void> {
  await postJson(`${baseUrl}/admin/reset`, { seed });
  await postJson(`${baseUrl}/admin/generate`, { count });
}

export async function readAllChanges(baseUrl: string, entity: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  let pageToken: string | null = null;
  do {
    const url = new URL('/cdc', baseUrl);
    url.searchParams.set('entity', entity);
    url.searchParams.set('updatedSince', '1970-01-01T00:00:00.000Z');
    url.searchParams.set('limit', '100');
    if (pageToken) url.searchParams.set('pageToken', pageToken);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url.pathname}${url.search} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { events: SourceEvent[]; nextPageToken: string | null };
    events.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return events;
}

async function postJson(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${await response.text()}`);
}
