/** How much of an error answer's body an error message shows. */
export const MAX_BODY_EXCERPT_CHARS = 200;

const REDACTED = '[redacted]';
/** Query parameters whose values are credentials or cursors a log must not replay. */
const SECRET_PARAM = /token|key|secret|signature|sig|auth|password|code/i;

/**
 * A bounded excerpt of a source's answer with what echoes the request taken out: proxies and
 * frameworks often answer an error with the request they got, Authorization header included.
 * Redacts first and cuts after, so a secret across the cut cannot leave a prefix behind.
 */
export function echoFreeExcerpt(
  body: string,
  request: { url: URL; token: string | undefined },
  max = MAX_BODY_EXCERPT_CHARS,
): string {
  // Only the head is shown; a little more is scanned so a secret that starts inside it is found whole.
  let text = body.slice(0, max + 4096);
  const secrets = [
    request.token,
    ...[...request.url.searchParams].filter(([name]) => SECRET_PARAM.test(name)).map(([, value]) => value),
  ];
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) text = text.split(form).join(REDACTED);
  }
  text = text
    .replace(/(bearer|basic)\s+[^\s"',;}]+/gi, `$1 ${REDACTED}`)
    .replace(/(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]*/gi, `$1${REDACTED}`);
  return text.slice(0, max);
}
