import type { Logger } from '../log';
import type { ActiveRun, JobRunner } from './runner';

/**
 * The Spark runs that ended FAILED in the schedule period before a scheduled launcher run: each
 * becomes a JobRunsFailed point, which the stage's alarm watches. Only a scheduled run reads them,
 * so a direct invoke between two scheduled runs cannot count a failure a second time. Not reading
 * them fails nothing: the next scheduled run reads its own period.
 */
export async function failedRunsToReport(
  scheduled: boolean,
  runner: JobRunner,
  periodMs: number,
  log: Logger,
  now: Date = new Date(),
): Promise<ActiveRun[]> {
  if (!scheduled) return [];
  try {
    const failed = await runner.failedSince(new Date(now.getTime() - periodMs));
    for (const run of failed) log.warn('a Spark run failed', { name: run.name, jobRunId: run.jobRunId });
    return failed;
  } catch (error) {
    log.warn('could not read which Spark runs failed; the next scheduled run reads its own period', { error });
    return [];
  }
}
