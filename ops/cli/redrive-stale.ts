import { applyStaleRedrive } from '../redrive-stale/apply';
import { formatRedrivePlan, formatRedriveReport } from '../redrive-stale/format-redrive';
import { planStaleRedrive } from '../redrive-stale/plan';
import { requireEntity } from '../stage/ops-stage';
import { openStage } from '../stage/open-stage';
import { confirmed } from './confirm';
import { parseFlags, requireFlag } from './flags';
import { parseInstant } from './instants';
import { type CommandIo, operatorId } from './io';
import { main } from './run-command';
import type { OpenStage } from './status';

export const USAGE =
  'npm run redrive-stale -- --stage <stage> [--entity e] [--since <day or time>] [--archive <key>] [--dry-run] [--yes] [--region R]';

export async function redriveStaleCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage = openStage,
): Promise<number> {
  const flags = parseFlags(argv, {
    stage: 'string',
    entity: 'string',
    since: 'string',
    archive: 'string',
    'dry-run': 'boolean',
    yes: 'boolean',
    region: 'string',
  });
  const stageName = requireFlag(flags.stage, 'stage', 'local');
  const since = flags.since === undefined ? undefined : parseInstant('--since', flags.since);
  const adapters = await open(stageName, { region: flags.region });
  try {
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
    if (
      !(await confirmed(
        io,
        `Put ${plan.toRestore} event(s) back into ${stage.fallbackTable}?`,
        flags.yes === true,
        'Re-driving stale events',
      ))
    ) {
      io.out('Not confirmed: nothing changed.');
      return 1;
    }
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
  } finally {
    adapters.close();
  }
}

if (require.main === module) main(redriveStaleCommand, USAGE);
