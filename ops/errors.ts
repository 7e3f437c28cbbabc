import { CdcError } from '../lib/errors';

/** A command-line argument is missing or malformed; the message starts with the argument's name. */
export class UsageError extends CdcError {
  readonly argument: string;

  constructor(argument: string, problem: string) {
    super('BAD_REQUEST', `${argument}: ${problem}`);
    this.argument = argument;
  }
}

/** The entity is not one of the stage's (params.entities in serverless.yml). */
export class UnknownEntityError extends UsageError {
  constructor(entity: string, stage: string, known: readonly string[]) {
    super('--entity', `"${entity}" is not an entity of stage ${stage}; its entities are: ${known.join(', ')}`);
  }
}

/** A command that changes the stage needs a yes from someone: a terminal to ask on, or --yes. */
export class ConfirmationRequiredError extends CdcError {
  constructor(action: string) {
    super(
      'BAD_REQUEST',
      `${action} needs confirmation, and stdin is not a terminal to ask on: pass --yes to go ahead without asking`,
    );
  }
}

/**
 * The checkpoint moved between showing the plan and writing the reset (a poller run saved
 * meanwhile). Nothing was written; the operator should look at the new position and run again.
 */
export class CheckpointMovedError extends CdcError {
  constructor(entity: string, readVersion: number | undefined) {
    super(
      'CHECKPOINT_CONFLICT',
      `the checkpoint of ${entity} changed after it was read (${readVersion === undefined ? 'there was none' : `version ${readVersion}`}): a poller run saved meanwhile. Nothing was changed; run the command again to see the new position`,
    );
  }
}

/** --archive names an object that is not in the stage's stale archive. */
export class ArchiveNotFoundError extends UsageError {
  constructor(key: string, bucket: string) {
    super('--archive', `no archive object s3://${bucket}/${key} (archives are under stale/dt=<day>/)`);
  }
}
