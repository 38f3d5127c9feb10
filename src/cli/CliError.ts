import { Data } from "effect"

/** Exit codes the CLI documents (README, "Exit codes"); scripts depend on them. */
export const ExitCode = {
  ok: 0,
  /** general failure; `daemon start`: already running; `daemon stop`: had to SIGKILL; `daemon status`: stale PID file */
  failure: 1,
  /** bad command-line input: unknown flag, bad value, unknown id */
  usage: 2,
  /** `daemon status`: not running */
  notRunning: 3,
  /** `daemon status`: the daemon runs but does not answer on its control socket within 3 s */
  unresponsive: 4,
  /** `$AGENC_HOME` or a file in it cannot be created (EX_CANTCREAT) */
  cantCreate: 73,
  /** `$AGENC_HOME` or `agenc.db` may not be written by this user (EX_NOPERM) */
  noPerm: 77,
  /** bad configuration (EX_CONFIG) */
  config: 78
} as const

/** A failure the user caused or must act on: printed as one line on stderr, then exit with `code`. */
export class CliError extends Data.TaggedError("CliError")<{ readonly message: string; readonly code: number }> {
  static usage(message: string): CliError {
    return new CliError({ message, code: ExitCode.usage })
  }
}
