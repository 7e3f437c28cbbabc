import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';

export type TokenProvider = () => Promise<string | undefined>;

/** A token given directly (stage local: CDC_SOURCE_TOKEN), or none. */
export function staticToken(token: string | undefined): TokenProvider {
  return async () => token;
}

/**
 * The token from an SSM SecureString, read once and kept for `ttlMs` (a rotated token is picked
 * up after that); concurrent first reads share one call. Never logged.
 */
export function ssmToken(
  ssm: SSMClient,
  parameterName: string,
  ttlMs = 5 * 60_000,
  now: () => number = Date.now,
): TokenProvider {
  let cached: { value: string; until: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return async () => {
    if (cached && cached.until > now()) return cached.value;
    inFlight ??= ssm
      .send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }))
      .then((out) => {
        const value = out.Parameter?.Value;
        if (!value) throw new Error(`SSM parameter ${parameterName} is empty`);
        cached = { value, until: now() + ttlMs };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}
