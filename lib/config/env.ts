import { ConfigError } from '../errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** Empty strings count as unset: `sls invoke local` and shells both produce them. */
function read(env: Env, name: string): string | undefined {
  const value: unknown = env[name];
  // A resolved serverless.yml holds null for a param left unset (the ops commands read it).
  return typeof value !== 'string' || value.trim() === '' ? undefined : value.trim();
}

export function requireString(env: Env, name: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
}

export function optionalString(env: Env, name: string): string | undefined {
  return read(env, name);
}

export function requireInt(env: Env, name: string, bounds: { min: number; max: number }): number {
  const raw = requireString(env, name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigError(name, `must be an integer from ${bounds.min} to ${bounds.max}, got "${raw}"`);
  }
  return value;
}

/** `httpsOnly` names the stage that requires it, for the message. */
export function requireUrl(env: Env, name: string, options: { httpsOnly?: { stage: string } } = {}): URL {
  const raw = requireString(env, name);
  let url: URL;
  try {
    url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  if (options.httpsOnly && url.protocol !== 'https:') {
    throw new ConfigError(
      name,
      `must be an https URL on stage ${options.httpsOnly.stage} (plain http would carry the bearer token and the data unencrypted), got "${raw}"`,
    );
  }
  return url;
}

export function requireBrokers(env: Env, name: string): string[] {
  const brokers = requireString(env, name)
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) throw new ConfigError(name, `"${broker}" is not host:port`);
  }
  if (brokers.length === 0) throw new ConfigError(name, 'lists no broker');
  return brokers;
}
