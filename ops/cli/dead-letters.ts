import { formatDeadLetters, listDeadLetters, openParkedReading, type ParkedReading, parseLimit } from '../parked';
import { type OpsStage, requireEntity } from '../stage/ops-stage';
import { openStage } from '../stage/open-stage';
import type { CommandIo } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export const USAGE = 'npm run dead-letters -- --stage <stage> [--entity e] [--limit N] [--json] [--region R]';

const FLAGS = { stage: 'string', entity: 'string', limit: 'string', json: 'boolean', region: 'string' } as const;

/** The consumer's dead-letter objects in the raw bucket, read-only: at most --limit, in key order, never their bytes. */
export function deadLettersCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage = openStage,
  openReading: (stage: OpsStage) => ParkedReading = openParkedReading,
): Promise<number> {
  return runOnStage(argv, FLAGS, open, (flags) => {
    const limit = parseLimit(flags.limit);
    return async (adapters) => {
      const entity = flags.entity === undefined ? undefined : requireEntity(adapters.stage, flags.entity);
      const reading = openReading(adapters.stage);
      try {
        const listing = await listDeadLetters(reading.deadLetters, entity, limit);
        io.out(flags.json ? JSON.stringify(listing, null, 2) : formatDeadLetters(listing));
        return 0;
      } finally {
        reading.close();
      }
    };
  });
}

if (require.main === module) main(deadLettersCommand, USAGE);
