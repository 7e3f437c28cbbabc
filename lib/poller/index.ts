export { pollEntity, type PollDependencies, type PollRequest, type PollSummary } from './poll-entity';
export { planPage, type PagePlan } from './page-plan';
export {
  type BackfillCount,
  type BackfillRequest,
  type BackfillWindow,
  backfillCursorKey,
  countWindow,
  parseBackfill,
} from './backfill';
