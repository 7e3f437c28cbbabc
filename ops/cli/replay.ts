import { applyReplay, planReplay } from '../replay/replay';
import { formatReplayOutcome, formatReplayPlan } from '../replay/format-replay';
import { requireEntity } from '../stage/ops-stage';
import { openStage } from '../stage/open-stage';
import { confirmedChange } from './confirm';
import { requireFlag } from './flags';
import { parseInstant } from './instants';
import { type CommandIo, operatorId } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export const USAGE = 'npm run replay -- --stage <stage> --entity <entity> --from <ISO time> [--yes] [--region R]';

export function replayCommand(argv: readonly string[], io: CommandIo, open: OpenStage = openStage): Promise<number> {
  const spec = { stage: 'string', entity: 'string', from: 'string', yes: 'boolean', region: 'string' } as const;
  return runOnStage(argv, spec, open, (flags) => {
    const entityName = requireFlag(flags.entity, 'entity', 'customer');
    const from = parseInstant('--from', requireFlag(flags.from, 'from', '2026-11-24T10:00:00Z'));
    return async (adapters) => {
      const entity = requireEntity(adapters.stage, entityName);
      const plan = await planReplay(adapters.checkpoints, { entity, from }, adapters.now());
      io.out(formatReplayPlan(plan, adapters.stage.stage, adapters.now()));
      const question = `Reset the checkpoint of ${entity} on stage ${adapters.stage.stage} to ${plan.from}?`;
      if (!(await confirmedChange(io, question, flags.yes === true, 'Resetting a checkpoint'))) return 1;
      const outcome = await applyReplay(adapters.checkpoints, plan, operatorId('ops-replay'));
      io.out(formatReplayOutcome(outcome, adapters.stage.stage));
      return 0;
    };
  });
}

if (require.main === module) main(replayCommand, USAGE);
