/**
 * npm run local:run [-- --functions poller,consumer] [-- --fire poller[='{"entity":"customer"}']] [-- --once]
 * Runs stage local's functions with their triggers from serverless.yml until SIGINT/SIGTERM.
 * --fire invokes a function right away (with the JSON given, or its schedule's event);
 * --once fires and exits without starting the triggers.
 */
import { commandLineOf, readFlags } from '../../cli/command-line';
import { functionDefinitions, startRuntime } from '.';
import { provisionLocalResources } from '../provision';
import { resolveIntrinsics } from '../serverless/intrinsics';
import { loadResolvedConfig } from '../../stage/resolved-config';

const USAGE =
  'usage: npm run local:run [-- --functions poller,consumer] [--fire poller[=\'{"entity":"customer"}\']] [--once]';

function options(argv: readonly string[]): {
  functions?: string[];
  fire: { name: string; event?: unknown }[];
  once: boolean;
} {
  const flags = readFlags(argv, { functions: 'string', fire: 'strings', once: 'boolean' });
  const fire = (flags.fire ?? []).map((value) => {
    const [name = '', json] = value.split(/=(.*)/s);
    return json === undefined ? { name } : { name, event: JSON.parse(json) as unknown };
  });
  return { functions: flags.functions?.split(','), fire, once: flags.once === true };
}

async function main(): Promise<void> {
  const opts = commandLineOf(USAGE, options);
  const config = await loadResolvedConfig('local');
  // Environment values such as `!Ref AlertTopic` resolve against the local resources; provisioning
  // is idempotent and answers with their physical names.
  const { created } = await provisionLocalResources(() => undefined);
  const physical = new Map(Object.entries(created));
  const all = functionDefinitions(config).map((d) => ({
    ...d,
    environment: resolveIntrinsics(d.environment, physical) as Record<string, unknown>,
  }));
  const unknown = (opts.functions ?? []).filter((f) => !all.some((d) => d.name === f));
  if (unknown.length > 0)
    throw new Error(`unknown function ${unknown.join(', ')}; one of: ${all.map((d) => d.name).join(', ')}`);
  const selected = all.filter((d) => !opts.functions || opts.functions.includes(d.name));
  const triggerless = opts.once ? selected.map((d) => ({ ...d, schedules: [], msk: [], streams: [] })) : selected;
  const runtime = await startRuntime(config, triggerless);
  console.log(
    `[runtime] stage local: ${selected.map((d) => `${d.name} (${[...d.schedules.map((s) => s.expression), ...d.msk.map((m) => `msk ${m.topic}`), ...d.streams.map(() => 'dynamodb stream')].join(', ')})`).join('; ')}`,
  );
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await runtime.stop();
    for (const line of runtime.status()) console.log(`[runtime] ${line}`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  let failed = false;
  for (const f of opts.fire) {
    const result = await runtime.fire(f.name, f.event).catch((error: Error) => {
      failed = true;
      return { error: error.message };
    });
    console.log(`[runtime] ${f.name} → ${JSON.stringify(result)}`);
  }
  if (opts.once) return stop(failed ? 1 : 0);
  setInterval(() => runtime.status().forEach((line) => console.log(`[runtime] ${line}`)), 30_000).unref();
}

main().catch((error: unknown) => {
  console.error(`local:run failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
