import { createLogger } from '../../../lib/log';
import { RegistryUnavailableError, SchemaNotFoundError } from '../../../lib/registry/errors';
import { SchemaCache } from '../../../lib/registry/schema-cache';
import { TtlCache } from '../../../lib/registry/ttl-cache';
import { InMemorySchemaRegistry as FakeRegistry } from '../../../lib/registry/in-memory-registry';
import { schemaFile } from '../../helpers/schemas';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('TtlCache', () => {
  it('shares one load between concurrent misses of the same key', async () => {
    const cache = new TtlCache<string, number>({ maxEntries: 10, ttlMs: 1000 });
    let loads = 0;
    const load = async (): Promise<number> => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    expect(await Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)))).toEqual(Array(20).fill(42));
    expect(loads).toBe(1);
  });

  it('loads again after the TTL', async () => {
    const c = clock();
    const cache = new TtlCache<string, number>({ maxEntries: 10, ttlMs: 1000, now: c.now });
    let n = 0;
    await cache.get('k', async () => ++n);
    c.advance(999);
    expect(await cache.get('k', async () => ++n)).toBe(1);
    c.advance(2);
    expect(await cache.get('k', async () => ++n)).toBe(2);
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = new TtlCache<string, string>({ maxEntries: 2, ttlMs: 60_000 });
    await cache.get('a', async () => 'a');
    await cache.get('b', async () => 'b');
    await cache.get('a', async () => 'a2');
    await cache.get('c', async () => 'c');
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => 'reloaded')).toBe('a');
    expect(await cache.get('b', async () => 'reloaded')).toBe('reloaded');
  });

  it('serves an expired entry when a retriable load fails, and says so once', async () => {
    const c = clock();
    const outages: unknown[] = [];
    const cache = new TtlCache<string, string>({
      maxEntries: 10,
      ttlMs: 1000,
      now: c.now,
      onStaleServe: (e) => outages.push(e),
    });
    await cache.get('a', async () => 'A');
    await cache.get('b', async () => 'B');
    c.advance(5000);
    const down = async (): Promise<string> => {
      throw new RegistryUnavailableError('down');
    };
    for (let i = 0; i < 10; i += 1) {
      expect(await cache.get('a', down)).toBe('A');
      expect(await cache.get('b', down)).toBe('B');
    }
    expect(outages).toHaveLength(1);
  });

  it('does not hide a non-retriable failure behind a stale entry', async () => {
    const c = clock();
    const cache = new TtlCache<string, string>({ maxEntries: 10, ttlMs: 1000, now: c.now });
    await cache.get('a', async () => 'A');
    c.advance(5000);
    await expect(
      cache.get('a', async () => {
        throw new SchemaNotFoundError('gone');
      }),
    ).rejects.toThrow('gone');
  });

  it('fails when the registry is down and nothing was ever cached', async () => {
    const cache = new TtlCache<string, string>({ maxEntries: 10, ttlMs: 1000 });
    await expect(
      cache.get('a', async () => {
        throw new RegistryUnavailableError('down');
      }),
    ).rejects.toMatchObject({ retriable: true, reason: 'REGISTRY_UNAVAILABLE' });
  });
});

describe('SchemaCache', () => {
  it('asks the registry once per version id and compiles each version once', async () => {
    const registry = new FakeRegistry();
    const [v1] = registry.seed('cdc.customer', schemaFile('customer'));
    const cache = new SchemaCache(registry, { latestTtlMs: 60_000, maxEntries: 10 });
    await Promise.all(Array.from({ length: 10 }, () => cache.version(v1!.schemaVersionId)));
    await cache.latest('cdc.customer');
    expect(registry.calls.filter((c) => c.startsWith('byId:'))).toHaveLength(1);
    expect(cache.compiledVersions).toBe(1);
  });

  it('logs a Glue outage once while serving cached schemas, however many lookups', async () => {
    const registry = new FakeRegistry();
    registry.seed('cdc.customer', schemaFile('customer'));
    registry.seed('cdc.payment', schemaFile('payment'));
    const lines: string[] = [];
    const c = clock();
    const cache = new SchemaCache(registry, {
      latestTtlMs: 1000,
      maxEntries: 10,
      now: c.now,
      log: createLogger({}, (l) => lines.push(l)),
    });
    await cache.latest('cdc.customer');
    await cache.latest('cdc.payment');
    registry.down = true;
    c.advance(10_000);
    for (let i = 0; i < 100; i += 1) {
      await cache.latest('cdc.customer');
      await cache.latest('cdc.payment');
    }
    expect(lines.filter((l) => l.includes('schema registry unavailable'))).toHaveLength(1);
    registry.down = false;
    c.advance(10_000);
    await cache.latest('cdc.customer');
    expect(lines.filter((l) => l.includes('reachable again'))).toHaveLength(1);
  });

  it('picks up a newly registered version once the latest TTL has passed', async () => {
    const registry = new FakeRegistry();
    registry.seed('cdc.customer', schemaFile('customer'));
    const c = clock();
    const cache = new SchemaCache(registry, { latestTtlMs: 1000, maxEntries: 10, now: c.now });
    expect((await cache.latest('cdc.customer')).versionNumber).toBe(1);
    registry.seed(
      'cdc.customer',
      schemaFile('customer').replace('"A change of a customer"', '"A change of a customer (v2)"'),
    );
    expect((await cache.latest('cdc.customer')).versionNumber).toBe(1);
    c.advance(1001);
    expect((await cache.latest('cdc.customer')).versionNumber).toBe(2);
  });
});
