import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** JSON for an object; strings and Buffers (e.g. bytes that are not UTF-8) are sent as they are. */
  body: string | Buffer | object;
}

/** A local HTTP server answering each request with the next scripted response (the last one repeats). */
export async function scriptedServer(
  responses: ScriptedResponse[],
): Promise<{ url: URL; requests: URL[]; close: () => Promise<void> }> {
  const requests: URL[] = [];
  const server = http.createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
    const r = responses[Math.min(requests.length - 1, responses.length - 1)] as ScriptedResponse;
    res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
    res.end(typeof r.body === 'string' || Buffer.isBuffer(r.body) ? r.body : JSON.stringify(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
