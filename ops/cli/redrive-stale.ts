import { applyStaleRedrive } from '../redrive-stale/apply';
import { formatRedrivePlan, formatRedriveReport } from '../redrive-stale/format-redrive';
import { planStaleRedrive } from '../redrive-stale/plan';
import { requireEntity } from '../stage/ops-stage';
import { openStage } from '../stage/open-stage';
import { confirmedChange } from './confirm';
import { parseInstant } from './instants';
import { type CommandIo, operatorId } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export const USAGE =
  'npm run redrive-stale -- --stage <stage> [--entity e] [--since <day or time>] [--archive <key>] [--dry-run] [--yes] [--region R]';

const FLAGS = {
  stage: 'string',
  entity: 'string',
  since: 'string',
  archive: 'string',
  'dry-run': 'boolean',
  yes: 'boolean',
  region: 'string',
} as const;

export function redriveStaleCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage = openStage,
): Promise<number> {
  return runOnStage(argv, FLAGS, open, (flags) => {
    const since = flags.since === undefined ? undefined : parseInstant('--since', flags.since);
    return async (adapters) => {
      const stage = adapters.stage;
      const entity = flags.entity === undefined ? undefined : requireEntity(stage, flags.entity);
      const plan = await planStaleRedrive(adapters.archive, {
        entities: stage.entities,
        entity,
        since,
        archive: flags.archive,
      });
      io.out(formatRedrivePlan(plan, stage.stage, stage.fallbackTable));
      if (flags['dry-run'] === true || plan.toRestore === 0) {
        if (flags['dry-run'] === true) io.out('Dry run: nothing changed.');
        return 0;
      }
      const question = `Put ${plan.toRestore} event(s) back into ${stage.fallbackTable}?`;
      if (!(await confirmedChange(io, question, flags.yes === true, 'Re-driving stale events'))) return 1;
      const report = await applyStaleRedrive(
        {
          archive: adapters.archive,
          target: adapters.restore,
          now: adapters.now,
          operator: operatorId('ops-redrive-stale'),
        },
        plan,
      );
      io.out(formatRedriveReport(report, stage.fallbackTable));
      return 0;
    };
  });
}

if (require.main === module) main(redriveStaleCommand, USAGE);
