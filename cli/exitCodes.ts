/** Exit codes of every `cmdb` command. */
export const EXIT = {
  ok: 0,
  /** The catalog is invalid or the change is blocked. */
  failed: 1,
  /** Usage error, missing repository or revision, infrastructure failure. */
  error: 2,
} as const;
