/** The shape of one `mmckd` subcommand module (cli/commands/<name>.ts). */
export interface CliCommand {
  /** One line for `mmckd help`. */
  summary: string;
  /** Full usage text for `mmckd <name> --help`. */
  usage: string;
  /** Runs the command; returns the process exit code. */
  run(args: string[]): Promise<number>;
}
