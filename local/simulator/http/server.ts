import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { UnauthorizedError } from '../errors';
import type { Simulator } from '../simulator';
import type { JsonValue } from '../types';
import { errorReply, readJsonBody, writeReply, type Reply } from './reply';
import { findRoute } from './routes';

/** One structured line per request; never carries the bearer token. */
export type RequestLogLine = Record<string, JsonValue>;

export interface SimulatorServerOptions {
  simulator: Simulator;
  /** When set, every route but `/health` needs `Authorization: Bearer <token>`. */
  token?: string;
  log?: (line: RequestLogLine) => void;
}

export function createSimulatorServer(options: SimulatorServerOptions): Server {
  const expectedDigest = options.token === undefined || options.token === '' ? null : digest(options.token);
  return createServer((request, response) => {
    void answer(request, response, options, expectedDigest);
  });
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: SimulatorServerOptions,
  expectedDigest: Buffer | null,
): Promise<void> {
  const started = performance.now();
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://simulator.invalid');
  let reply: Reply;
  try {
    const route = findRoute(method, url.pathname);
    if (route.open !== true && !isAuthorized(request, expectedDigest)) throw new UnauthorizedError();
    reply = await route.handle({ url, simulator: options.simulator, readJson: () => readJsonBody(request) });
  } catch (error) {
    reply = errorReply(error);
  }
  writeReply(response, reply);
  options.simulator.noteResponse(reply.status);
  options.log?.({
    time: new Date().toISOString(),
    level: reply.status >= 500 && reply.log?.fault === undefined ? 'error' : 'info',
    msg: 'request',
    method,
    path: url.pathname,
    status: reply.status,
    durationMs: Math.round(performance.now() - started),
    ...reply.log,
  });
}

/** Compares digests so the check takes the same time whatever the presented token. */
function isAuthorized(request: IncomingMessage, expectedDigest: Buffer | null): boolean {
  if (expectedDigest === null) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expectedDigest);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
