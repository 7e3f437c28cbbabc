import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, PayloadTooLargeError, SimulatorHttpError } from '../errors';
import type { Simulator } from '../simulator';
import type { JsonValue } from '../types';

const MAX_BODY_BYTES = 1_000_000;

/** What a route answers; the server writes it and logs `log` beside the request line. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  log?: Record<string, JsonValue>;
}

export interface RouteRequest {
  url: URL;
  simulator: Simulator;
  /** The parsed JSON body; an empty body reads as `{}`. */
  readJson(): Promise<unknown>;
}

export type RouteHandler = (request: RouteRequest) => Reply | Promise<Reply>;

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadRequestError(`request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function writeReply(response: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  response.end(payload);
}

/** Known errors become their status with `{error}`; anything else is a bug and a 500. */
export function errorReply(error: unknown): Reply {
  if (error instanceof SimulatorHttpError) {
    const headers: Record<string, string> =
      error.status === 401 ? { 'www-authenticate': 'Bearer realm="cdc-simulator"' } : {};
    return { status: error.status, body: { error: error.message }, headers, log: { error: error.message } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: `internal simulator error: ${message}` }, log: { error: message } };
}
