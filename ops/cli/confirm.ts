import { ConfirmationRequiredError } from '../errors';
import type { CommandIo } from './io';

/** --yes goes ahead; a terminal is asked (y/N, no by default); anything else is refused. */
export async function confirmed(io: CommandIo, question: string, yes: boolean, action: string): Promise<boolean> {
  if (yes) return true;
  if (!io.interactive) throw new ConfirmationRequiredError(action);
  const answer = await io.ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/** `confirmed`, and on a no says so: the command then stops with exit code 1. */
export async function confirmedChange(io: CommandIo, question: string, yes: boolean, action: string): Promise<boolean> {
  if (await confirmed(io, question, yes, action)) return true;
  io.out('Not confirmed: nothing changed.');
  return false;
}
