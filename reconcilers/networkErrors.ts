/** Reading the errors fetch (undici) throws: the useful part is on the `cause` chain. */

type Chain = { code?: unknown; message?: unknown; cause?: unknown };

/** The first string `code` on the error or its causes (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`). */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e = error as Chain | undefined, depth = 0; e && typeof e === 'object' && depth < 8; e = e.cause as Chain, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/** The messages of the error and its causes, outermost first, joined (`fetch failed: connect ECONNREFUSED 127.0.0.1:80`). */
export function networkErrorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as Chain | undefined, depth = 0; e && typeof e === 'object' && depth < 8; e = e.cause as Chain, depth++) {
    if (typeof e.message === 'string' && e.message !== '' && !parts.includes(e.message)) parts.push(e.message.split('\n')[0]);
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}
