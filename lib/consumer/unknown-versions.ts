import { SchemaNotFoundError } from '../registry';
import { readGlueFrame } from '../serde';

/**
 * The schema versions Glue did not know, remembered for one batch. Glue may be catching up
 * (eventually consistent), so a miss is asked again a few times, but once per version: asking
 * per record made a 1,000-record batch of one unknown version outlive the Lambda timeout and
 * stall its partition. The batch scope keeps a version registered later readable by the next batch.
 */
export class UnknownVersions {
  private readonly outcomes = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly attempts: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** The recorded miss of the record's version, if this batch already gave up on it. */
  async missOf(bytes: Uint8Array): Promise<string | undefined> {
    // Nearly every batch has no miss: no need to parse each record's Glue header here as well as in the decode.
    if (this.outcomes.size === 0) return undefined;
    const versionId = versionIdOf(bytes);
    return versionId === undefined ? undefined : this.outcomes.get(versionId);
  }

  /**
   * After a first SchemaNotFoundError: asks again (shared by every record of the version) and
   * answers the miss's message when the version stays unknown, undefined once it exists.
   */
  settle(bytes: Uint8Array, first: SchemaNotFoundError, lookUp: () => Promise<unknown>): Promise<string | undefined> {
    const versionId = versionIdOf(bytes) ?? '';
    let outcome = this.outcomes.get(versionId);
    if (outcome === undefined) {
      outcome = this.askAgain(first, lookUp);
      this.outcomes.set(versionId, outcome);
    }
    return outcome;
  }

  private async askAgain(first: SchemaNotFoundError, lookUp: () => Promise<unknown>): Promise<string | undefined> {
    let last = first;
    for (let attempt = 2; attempt <= this.attempts; attempt += 1) {
      await this.sleep(Math.min(2000, 200 * 2 ** (attempt - 2)));
      try {
        await lookUp();
        return undefined;
      } catch (error) {
        if (!(error instanceof SchemaNotFoundError)) throw error;
        last = error;
      }
    }
    return `${last.message} (after ${this.attempts} attempts)`;
  }
}

function versionIdOf(bytes: Uint8Array): string | undefined {
  try {
    return readGlueFrame(bytes).schemaVersionId;
  } catch {
    // Not a Glue frame: the decode itself reports it as UNDECODABLE.
    return undefined;
  }
}
