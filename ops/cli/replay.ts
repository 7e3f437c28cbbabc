import { countBackfill, runBackfill } from '../replay/backfill';
import { applyReplay, planReplay } from '../replay/replay';
import {
  formatBackfillCount,
  formatBackfillOutcome,
  formatBackfillPlan,
  formatBackfillSlice,
  formatReplayOutcome,
  formatReplayPlan,
} from '../replay/format-replay';
import { UsageError } from '../errors';
import { requireEntity } from '../stage/ops-stage';
import { openStage, type StageAdapters } from '../stage/open-stage';
import { confirmedChange } from './confirm';
import { requireFlag } from './flags';
import { parseInstant } from './instants';
import { type CommandIo, operatorId } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export const USAGE =
  'npm run replay -- --stage <stage> --entity <entity> --from <ISO time> [--to <ISO time>] [--dry-run] [--yes] [--region R]';

/**
 * Without `--to`: the entity's checkpoint is reset to `--from`, and the live polling reads on
 * from there. With `--to`: a bounded backfill of `[from, to)` by the stage's poller, beside the
 * live polling, the checkpoint untouched. `--dry-run` shows the plan (and counts a window).
 */
export function replayCommand(argv: readonly string[], io: CommandIo, open: OpenStage = openStage): Promise<number> {
  const spec = {
    stage: 'string',
    entity: 'string',
    from: 'string',
    to: 'string',
    'dry-run': 'boolean',
    yes: 'boolean',
    region: 'string',
  } as const;
  return runOnStage(argv, spec, open, (flags) => {
    const entityName = requireFlag(flags.entity, 'entity', 'customer');
    const from = parseInstant('--from', requireFlag(flags.from, 'from', '2026-11-24T10:00:00Z'));
    const to = flags.to === undefined ? undefined : parseInstant('--to', flags.to);
    if (to !== undefined && !(from < to))
      throw new UsageError('--to', `must be after --from (${from.toISOString()}), got ${to.toISOString()}`);
    const dryRun = flags['dry-run'] === true;
    const yes = flags.yes === true;
    return async (adapters) => {
      const entity = requireEntity(adapters.stage, entityName);
      if (to !== undefined) return backfill(adapters, io, { entity, from, to, dryRun, yes });
      const plan = await planReplay(adapters.checkpoints, { entity, from }, adapters.now());
      io.out(formatReplayPlan(plan, adapters.stage.stage, adapters.now()));
      if (dryRun) {
        io.out('Dry run: nothing changed.');
        return 0;
      }
      const question = `Reset the checkpoint of ${entity} on stage ${adapters.stage.stage} to ${plan.from}?`;
      if (!(await confirmedChange(io, question, yes, 'Resetting a checkpoint'))) return 1;
      const outcome = await applyReplay(adapters.checkpoints, plan, operatorId('ops-replay'));
      io.out(formatReplayOutcome(outcome, adapters.stage.stage));
      return 0;
    };
  });
}

async function backfill(
  adapters: StageAdapters,
  io: CommandIo,
  options: { entity: string; from: Date; to: Date; dryRun: boolean; yes: boolean },
): Promise<number> {
  const stage = adapters.stage.stage;
  if (options.to > adapters.now())
    throw new UsageError(
      '--to',
      `${options.to.toISOString()} is in the future: the live polling reads what comes next`,
    );
  const request = {
    entity: options.entity,
    window: { from: options.from.toISOString(), to: options.to.toISOString() },
  };
  if (options.dryRun) {
    io.out(formatBackfillCount(await countBackfill(adapters.poller, request), stage));
    return 0;
  }
  io.out(formatBackfillPlan(request, stage));
  const question = `Backfill ${options.entity} on stage ${stage} from ${request.window.from} to ${request.window.to}?`;
  if (!(await confirmedChange(io, question, options.yes, 'A backfill'))) return 1;
  const outcome = await runBackfill(adapters.poller, request, {
    onSlice: (slice, n) => io.out(formatBackfillSlice(slice, n)),
  });
  io.out(formatBackfillOutcome(outcome));
  return outcome.unfinished === undefined ? 0 : 1;
}

if (require.main === module) main(replayCommand, USAGE);
