export { type RedrivePolicy, type StaleLimit, nextAttemptAt, staleBecause } from './policy';
export { type AlertPort, InMemoryAlerts, SnsAlerts } from './alerts';
export { type DrainRun, type DrainSummary, drainKey, type RedriveDependencies } from './drain-key';
export { archiveAndAlert, type ArchiveSummary } from './archive';
export { onStream, sweep, type SweepDependencies, type SweepSummary } from './run';
export { lambdaSweepChain, type SweepEvent } from './lambda-chain';
export { BACKLOG_COUNT_CAP, type Backlog, backlogOf } from './backlog';
export { ACKNOWLEDGED_LIMIT, AcknowledgedLedger } from './acknowledged';
