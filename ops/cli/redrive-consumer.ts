import { applyConsumerRedrive } from '../redrive-consumer/apply';
import { formatConsumerRedrivePlan, formatConsumerRedriveReport } from '../redrive-consumer/format-redrive-consumer';
import { type ConsumerRedriveAdapters, openConsumerRedrive } from '../redrive-consumer/open-redrive';
import { planConsumerRedrive } from '../redrive-consumer/plan';
import { type OpsStage, requireEntity } from '../stage/ops-stage';
import { openStage } from '../stage/open-stage';
import { confirmedChange } from './confirm';
import { parseInstant } from './instants';
import { type CommandIo, operatorId } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export const USAGE =
  'npm run redrive-consumer -- --stage <stage> [--entity e] [--since <day or time>] [--dry-run] [--yes] [--region R]';

const FLAGS = {
  stage: 'string',
  entity: 'string',
  since: 'string',
  'dry-run': 'boolean',
  yes: 'boolean',
  region: 'string',
} as const;

/**
 * The consumer's dead letters whose schema version exists now (in the fallback table, or archived
 * as stale since --since), and the batches its MSK mappings gave up on, written to raw by the
 * consumer's own core; their items and objects then removed.
 */
export function redriveConsumerCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage = openStage,
  openRedrive: (stage: OpsStage) => ConsumerRedriveAdapters = openConsumerRedrive,
): Promise<number> {
  return runOnStage(argv, FLAGS, open, (flags) => {
    const since = flags.since === undefined ? undefined : parseInstant('--since', flags.since);
    return async (adapters) => {
      const redrive = openRedrive(adapters.stage);
      try {
        const stage = adapters.stage;
        const entity = flags.entity === undefined ? undefined : requireEntity(stage, flags.entity);
        const plan = await planConsumerRedrive(redrive.sources, { entities: stage.entities, entity, since });
        io.out(formatConsumerRedrivePlan(plan, stage.stage, stage.fallbackTable));
        if (flags['dry-run'] === true || plan.toRedrive + plan.toReplay === 0) {
          if (flags['dry-run'] === true) io.out('Dry run: nothing changed.');
          return 0;
        }
        const question = `Write ${plan.toRedrive} record(s) and ${plan.toReplay} batch(es) to ${stage.rawBucket}, then remove them from where they wait?`;
        const action = "Re-driving the consumer's dead letters";
        if (!(await confirmedChange(io, question, flags.yes === true, action))) return 1;
        const report = await applyConsumerRedrive(redrive.deps(operatorId('ops-redrive-consumer')), plan);
        io.out(formatConsumerRedriveReport(report));
        // Some left behind (held by the retry function, or dead-lettered again): run again later.
        return report.busy + report.failedAgain === 0 ? 0 : 1;
      } finally {
        redrive.close();
      }
    };
  });
}

if (require.main === module) main(redriveConsumerCommand, USAGE);
