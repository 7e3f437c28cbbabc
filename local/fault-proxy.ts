import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  readonly url: string;
  /** Requests answered with the fault instead of being forwarded. */
  readonly failed: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real service (moto) that answers the requests `fails` picks with
 * S3's "503 SlowDown" and forwards everything else untouched: a real outage as the SDK sees it.
 */
export async function faultProxy(target: string, fails: (method: string, path: string) => boolean): Promise<FaultProxy> {
  const upstream = new URL(target);
  const state = { failed: 0 };
  const server = http.createServer((req, res) => {
    if (fails(req.method ?? 'GET', req.url ?? '/')) {
      state.failed += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get failed() {
      return state.failed;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
