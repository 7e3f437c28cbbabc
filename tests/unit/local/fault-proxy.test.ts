import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { faultProxy, type FaultProxy, type ProxyFault } from '../../../local/fault-proxy';

/** A stand-in service that counts what it handled; `/slow` answers after `slowMs`. */
async function countingService(slowMs = 200): Promise<{ url: string; handled: string[]; close(): Promise<void> }> {
  const handled: string[] = [];
  const server = http.createServer((req, res) => {
    handled.push(`${req.method} ${req.url}`);
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('done');
    };
    if (req.url === '/slow') setTimeout(answer, slowMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handled,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the fault proxy in front of moto', () => {
  let service: Awaited<ReturnType<typeof countingService>>;
  let proxy: FaultProxy;
  let fault: ProxyFault | undefined;

  beforeEach(async () => {
    fault = undefined;
    service = await countingService();
    proxy = await faultProxy(service.url, () => fault);
  });
  afterEach(async () => {
    await proxy.close();
    await service.close();
  });

  it('forwards a request untouched when no fault is set', async () => {
    const response = await fetch(`${proxy.url}/put`, { method: 'PUT', body: 'x' });
    expect([response.status, await response.text()]).toEqual([200, 'done']);
    expect(service.handled).toEqual(['PUT /put']);
  });

  it('answers 503 without reaching the service when unavailable', async () => {
    fault = 'unavailable';
    const response = await fetch(`${proxy.url}/put`, { method: 'PUT', body: 'x' });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('SlowDown');
    expect(service.handled).toEqual([]);
    expect(proxy.failed).toBe(1);
  });

  it('lets the service handle the request and then resets the connection when the answer is lost', async () => {
    fault = 'answer-lost';
    await expect(fetch(`${proxy.url}/put`, { method: 'PUT', body: 'x' })).rejects.toThrow('fetch failed');
    expect(service.handled).toEqual(['PUT /put']);
    expect(proxy.answersLost).toBe(1);
  });

  it('resets the connection without reaching the service when refused', async () => {
    fault = 'refused';
    await expect(fetch(`${proxy.url}/put`, { method: 'PUT', body: 'x' })).rejects.toThrow('fetch failed');
    expect(service.handled).toEqual([]);
    expect(proxy.refused).toBe(1);
  });

  it('loses the answer of a request in flight when the service goes down before it answers', async () => {
    const inFlight = fetch(`${proxy.url}/slow`, { method: 'POST', body: 'x' });
    // The service has it (and answers 200 ms later) before the outage begins.
    while (service.handled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    fault = 'refused';
    await expect(inFlight).rejects.toThrow('fetch failed');
    expect(service.handled).toEqual(['POST /slow']);
    expect(proxy.answersLost).toBe(1);
  });
});
