import { collectStatus } from '../status/collect-status';
import { formatStatus } from '../status/format-status';
import { openStage } from '../stage/open-stage';
import { UsageError } from '../errors';
import type { CommandIo } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export type { OpenStage } from './stage-command';

export const USAGE = 'npm run status -- --stage <stage> [--json] [--days N] [--region R]';

export function statusCommand(argv: readonly string[], io: CommandIo, open: OpenStage = openStage): Promise<number> {
  const spec = { stage: 'string', json: 'boolean', days: 'string', region: 'string' } as const;
  return runOnStage(argv, spec, open, (flags) => {
    const historyDays = flags.days === undefined ? 7 : Number(flags.days);
    if (!Number.isInteger(historyDays) || historyDays < 1 || historyDays > 90)
      throw new UsageError('--days', `takes a whole number of days from 1 to 90, got "${flags.days}"`);
    return async (adapters) => {
      const status = await collectStatus(adapters.stage, { adapters, historyDays });
      io.out(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return 0;
    };
  });
}

if (require.main === module) main(statusCommand, USAGE);
