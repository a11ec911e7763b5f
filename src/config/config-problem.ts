/** One thing wrong with the configuration, reported with where it is. */
export interface ConfigProblem {
  /** The file (relative path as given) or `environment`. */
  file: string;
  /** JSON pointer into the file (`/tools/0/http/url`), or the variable name for the environment. */
  field: string;
  message: string;
}

/** Thrown once at startup with every problem found, never just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  ${p.file} ${p.field}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
