import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does to a request:
 * - `unavailable`: answers S3's "503 SlowDown" without forwarding it (an outage the SDK is told of);
 * - `answer-lost`: forwards it, so the service handles it, then resets the client's connection
 *   instead of answering (a service that went down before it could reply: the write happened, the
 *   client cannot know);
 * - `refused`: resets the client's connection without forwarding (a service that is down).
 */
export type ProxyFault = 'unavailable' | 'answer-lost' | 'refused';

export interface FaultProxy {
  readonly url: string;
  /** Requests answered 503 instead of being forwarded. */
  readonly failed: number;
  /** Requests the service handled whose answer was replaced by a reset connection. */
  readonly answersLost: number;
  /** Requests whose connection was reset before they were forwarded. */
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a real service (moto) that applies the fault `faultOf` picks for a
 * request (none: forwarded untouched). It is asked again when the service's answer arrives: under
 * `answer-lost` or `refused` by then, the answer is lost too, as for a request in flight when a
 * service restarts.
 */
export async function faultProxy(
  target: string,
  faultOf: (method: string, path: string) => ProxyFault | undefined,
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const state = { failed: 0, answersLost: 0, refused: 0 };
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = faultOf(method, path);
    if (fault === 'refused') {
      state.refused += 1;
      req.socket.destroy();
      return;
    }
    if (fault === 'unavailable') {
      state.failed += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method, path, headers: req.headers },
      (answer) => {
        const now = faultOf(method, path);
        if (fault === 'answer-lost' || now === 'answer-lost' || now === 'refused') {
          state.answersLost += 1;
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
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
    get answersLost() {
      return state.answersLost;
    },
    get refused() {
      return state.refused;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
