/** Error codes a caller may branch on. Input errors carry a source location. */
export type CmdbErrorCode =
  | 'usage'
  | 'repo-not-found'
  | 'ref-not-found'
  | 'entity-not-found'
  | 'git'
  | 'cache'
  | 'graph-store'
  | 'config'
  | 'github'
  | 'state-store'
  | 'leader-election'
  | 'internal';

export interface CmdbErrorOptions {
  code: CmdbErrorCode;
  cause?: unknown;
  file?: string;
  line?: number;
  column?: number;
}

/**
 * The one error base class. Thrown only for infrastructure failures, usage errors
 * and bugs; expected outcomes (invalid catalogs, violations) are values.
 */
export class CmdbError extends Error {
  readonly code: CmdbErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(message: string, options: CmdbErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CmdbError';
    this.code = options.code;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }

  /** `file:line:column: message`, or the bare message when there is no location. */
  format(): string {
    if (this.file === undefined) return this.message;
    const at = [this.file, this.line, this.column].filter((p) => p !== undefined).join(':');
    return `${at}: ${this.message}`;
  }
}

export const isCmdbError = (e: unknown): e is CmdbError => e instanceof CmdbError;
