import type { AddressInfo } from 'node:net';
import { createSimulatorServer, type RequestLogLine } from './http/server';
import { Simulator, type SimulatorOptions } from './simulator';

/** How long a graceful close waits for in-flight (e.g. deliberately slowed) responses before cutting them. */
const CLOSE_GRACE_MS = 5000;

export interface StartSimulatorOptions extends SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  log?: (line: RequestLogLine) => void;
}

export interface RunningSimulator {
  simulator: Simulator;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to a grace period), stops live generation. */
  close(): Promise<void>;
}

/** Starts the source simulator's HTTP server. */
export async function startSimulatorServer(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = new Simulator(options);
  const server = createSimulatorServer({ simulator, token: options.token, log: options.log });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    simulator.close();
    const cutOff = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error === undefined ? resolve() : reject(error))),
    );
    clearTimeout(cutOff);
  };
  return { simulator, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, close };
}

export {
  Simulator,
  DEFAULT_SEED,
  DEFAULT_START_TIME,
  type SimulatorOptions,
  type CdcPage,
  type GenerateResult,
} from './simulator';
export { FAULT_PRESETS, NO_FAULTS, applyFaultPatch, parseFaultSpec, type FaultSettings } from './faults';
export { ENTITY_NAMES, type EntityName } from './entities';
export type { SimulatorState, EntityState, RecordState } from './admin-state';
export type { ChangeEvent, ChangeOp, JsonObject, JsonValue } from './types';
export type { RequestLogLine } from './http/server';
