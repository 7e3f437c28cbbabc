import type { RunState } from '../../lib/jobs';
import { alive, allRuns, type LocalRun } from '../../stage/emr-runs';
import type { JobRunHistory, JobRunRecord } from './ports';

/**
 * Stage local: moto records every StartJobRun but calls it SUCCESS at once and never runs it.
 * Every local run goes through the spark-submit stand-in, which records moto's run id with the
 * real state (.stack/emr-runs/<id>/run.json), so that registry is read instead of moto.
 */
export class LocalJobRuns implements JobRunHistory {
  constructor(private readonly localRuns: () => LocalRun[] = allRuns) {}

  async runsSince(since: Date): Promise<JobRunRecord[]> {
    return this.localRuns()
      .filter((r) => new Date(r.startedAt) >= since)
      .map(fromLocalRun);
  }
}

function fromLocalRun(run: LocalRun): JobRunRecord {
  // A run marked RUNNING whose supervisor is gone died without recording its end.
  const state: RunState = run.state === 'RUNNING' && !alive(run) ? 'FAILED' : run.state;
  return {
    name: run.name,
    jobRunId: run.jobRunId,
    state,
    createdAt: run.startedAt,
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    stateFrom: 'local-spark-submit',
  };
}
