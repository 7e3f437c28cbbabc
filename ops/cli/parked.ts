import {
  formatParkedKey,
  formatParkedListing,
  listParked,
  openParkedReading,
  type ParkedReading,
  parseLimit,
  parseReason,
  parseStatus,
  shownItem,
} from '../parked';
import { UsageError } from '../errors';
import { type OpsStage, requireEntity } from '../stage/ops-stage';
import { openStage } from '../stage/open-stage';
import type { CommandIo } from './io';
import { main } from './run-command';
import { type OpenStage, runOnStage } from './stage-command';

export const USAGE = [
  'npm run parked -- --stage <stage> [--entity e] [--status S] [--reason R] [--limit N] [--json] [--region R]',
  '       npm run parked -- show <entity> <id> --stage <stage> [--payload] [--json] [--region R]',
].join('\n');

const LIST_FLAGS = {
  stage: 'string',
  entity: 'string',
  status: 'string',
  reason: 'string',
  limit: 'string',
  json: 'boolean',
  region: 'string',
} as const;
const SHOW_FLAGS = { stage: 'string', payload: 'boolean', json: 'boolean', region: 'string' } as const;

/**
 * What the fallback table holds, read-only: a listing through its indexes (never a scan), at
 * most --limit items, or `show` with one key's items in full, their payloads redacted unless
 * --payload.
 */
export function parkedCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage = openStage,
  openReading: (stage: OpsStage) => ParkedReading = openParkedReading,
): Promise<number> {
  if (argv[0] === 'show') return showCommand(argv.slice(1), io, open, openReading);
  return runOnStage(argv, LIST_FLAGS, open, (flags) => {
    const filter = { status: parseStatus(flags.status), reason: parseReason(flags.reason) };
    const limit = parseLimit(flags.limit);
    return async (adapters) => {
      const entity = flags.entity === undefined ? undefined : requireEntity(adapters.stage, flags.entity);
      const reading = openReading(adapters.stage);
      try {
        const listing = await listParked(reading.items, { ...filter, entity }, limit);
        io.out(flags.json ? JSON.stringify(listing, null, 2) : formatParkedListing(listing));
        return 0;
      } finally {
        reading.close();
      }
    };
  });
}

async function showCommand(
  argv: readonly string[],
  io: CommandIo,
  open: OpenStage,
  openReading: (stage: OpsStage) => ParkedReading,
): Promise<number> {
  const [entityArg, id, ...rest] = argv;
  if (entityArg === undefined || entityArg.startsWith('--') || id === undefined || id.startsWith('--'))
    throw new UsageError('show', 'takes an entity and an id: npm run parked -- show <entity> <id> --stage <stage>');
  return runOnStage(rest, SHOW_FLAGS, open, (flags) => async (adapters) => {
    const entity = requireEntity(adapters.stage, entityArg);
    const reading = openReading(adapters.stage);
    try {
      const items = await reading.items.itemsOfKey(entity, id);
      const shown = await Promise.all(
        items.map(async (item) =>
          shownItem(item, flags.payload === true ? { value: await reading.items.payloadOf(item) } : undefined),
        ),
      );
      io.out(
        flags.json
          ? JSON.stringify({ entity, id, location: reading.items.location, items: shown }, null, 2)
          : formatParkedKey(entity, id, reading.items.location, shown, flags.payload === true),
      );
      return 0;
    } finally {
      reading.close();
    }
  });
}

if (require.main === module) main(parkedCommand, USAGE);
