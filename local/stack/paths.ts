import path from 'node:path';
import { REPO_ROOT, STACK_DIR } from '../../stage/paths';

/** Everything the local stack installs or writes lives here (git-ignored). */
export { REPO_ROOT, STACK_DIR };
export const LOG_DIR = path.join(STACK_DIR, 'logs');
export const PID_DIR = path.join(STACK_DIR, 'pids');
export const KAFKA_DIR = path.join(STACK_DIR, 'kafka');
export const POSTGRES_DIR = path.join(STACK_DIR, 'postgres');
export const VENV_DIR = path.join(STACK_DIR, 'venv');
export const SPARK_JARS_DIR = path.join(STACK_DIR, 'spark', 'jars');

export function logFile(service: string): string {
  return path.join(LOG_DIR, `${service}.log`);
}

export function venvBin(name: string): string {
  return path.join(VENV_DIR, 'bin', name);
}
