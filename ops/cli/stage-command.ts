import { openStage, type StageAdapters } from '../stage/open-stage';
import { type Flags, type FlagSpec, parseFlags, requireFlag } from './flags';

export type OpenStage = typeof openStage;

/** Every stage command takes --stage (required) and --region, wherever its usage lists them. */
export type StageFlagSpec = FlagSpec & { readonly stage: 'string'; readonly region: 'string' };

/** What a command does once its stage is open; the exit code. */
export type OnStage = (adapters: StageAdapters) => Promise<number>;

/**
 * The part the stage commands share: the flags read, --stage required, then `prepare` checks the
 * rest of the arguments (before anything is opened, so a bad one costs no connection) and returns
 * what to do with the stage, which is closed afterwards whatever happens.
 */
export async function runOnStage<S extends StageFlagSpec>(
  argv: readonly string[],
  spec: S,
  open: OpenStage,
  prepare: (flags: Flags<S>) => OnStage,
): Promise<number> {
  const flags = parseFlags(argv, spec);
  const { stage, region } = flags as Flags<StageFlagSpec>;
  const stageName = requireFlag(stage, 'stage', 'local');
  const onStage = prepare(flags);
  const adapters = await open(stageName, { region });
  try {
    return await onStage(adapters);
  } finally {
    await adapters.close();
  }
}
