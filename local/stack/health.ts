import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { StackError } from './errors';
import { logFile } from './paths';
import { isAlive, sleep } from './processes';

export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export function logTail(service: string, lines = 15): string {
  const file = logFile(service);
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Polls a health check until it passes; fails naming the service and its log when the process dies or time runs out. */
export async function waitHealthy(
  service: string,
  pid: number,
  healthy: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await healthy().catch(() => false)) return Date.now() - started;
    if (!isAlive(pid)) {
      throw new StackError(
        `${service} exited during start-up; read ${logFile(service)}. Its last lines:\n${logTail(service)}`,
      );
    }
    await sleep(250);
  }
  throw new StackError(
    `${service} was not healthy after ${timeoutMs / 1000} s (pid ${pid} still running); read ${logFile(service)}. Its last lines:\n${logTail(service)}`,
  );
}
