import { collectStatus } from '../status/collect-status';
import { formatStatus } from '../status/format-status';
import { openStage, type StageAdapters } from '../stage/open-stage';
import { UsageError } from '../errors';
import { parseFlags, requireFlag } from './flags';
import type { CommandIo } from './io';
import { main } from './run-command';

export type OpenStage = typeof openStage;

export const USAGE = 'npm run status -- --stage <stage> [--json] [--days N] [--region R]';

export async function statusCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage = openStage,
): Promise<number> {
  const flags = parseFlags(argv, { stage: 'string', json: 'boolean', days: 'string', region: 'string' });
  const stage = requireFlag(flags.stage, 'stage', 'local');
  const historyDays = flags.days === undefined ? 7 : Number(flags.days);
  if (!Number.isInteger(historyDays) || historyDays < 1 || historyDays > 90)
    throw new UsageError('--days', `takes a whole number of days from 1 to 90, got "${flags.days}"`);
  const adapters: StageAdapters = await open(stage, { region: flags.region });
  try {
    const status = await collectStatus(adapters.stage, { adapters, historyDays });
    io.out(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    return 0;
  } finally {
    adapters.close();
  }
}

if (require.main === module) main(statusCommand, USAGE);
