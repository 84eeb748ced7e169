/** Exit codes of every `cmdb` command. */
export const EXIT = {
  ok: 0,
  /** The catalog is invalid or the change is blocked. */
  failed: 1,
  /** Usage error, missing repository or revision, infrastructure failure. */
  error: 2,
  /** `cmdb incident ack|resolve|note`: the command is queued but was not applied (no `cmdb serve` holds the state dir, or it did not apply it within --wait). */
  queued: 3,
} as const;
