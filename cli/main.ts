/**
 * `mmckd`: the kit's command line. Each subcommand lives in cli/commands/<name>.ts and exports
 * `command: CliCommand`; commands are loaded lazily so `mmckd info` starts fast.
 */
import type { CliCommand } from './command';

const COMMANDS: Record<string, () => CliCommand> = {
  info: () => require('./commands/info').command,
  data: () => require('./commands/data').command,
  metrics: () => require('./commands/metrics').command,
  train: () => require('./commands/train').command,
  eval: () => require('./commands/eval').command,
  grid: () => require('./commands/grid').command,
  regimes: () => require('./commands/regimes').command,
  cost: () => require('./commands/cost').command,
};

function loadCommand(name: string): CliCommand | undefined {
  try {
    return COMMANDS[name]();
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND' && String(err).includes(`commands/${name}`)) {
      return undefined;
    }
    throw err;
  }
}

function help(): string {
  const lines = ['Usage: mmckd <command> [options]', '', 'Commands:'];
  for (const name of Object.keys(COMMANDS)) {
    const cmd = loadCommand(name);
    if (cmd) lines.push(`  ${name.padEnd(9)} ${cmd.summary}`);
  }
  lines.push(
    '',
    "Run 'mmckd <command> --help' for a command's options.",
    '',
    'Run folders: --fresh removes a folder only when it is a run, imputer or grid folder holding only what',
    'the kit writes (anything else is refused by name). One process trains a folder at a time: it holds',
    "the folder's lock (.lock, .lock-owner.json); a second process refuses (train) or waits (grid), and",
    'the lock of a process that died is taken over, with a message.',
  );
  return lines.join('\n');
}

/** Runs the CLI with the given arguments; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 1;
  }
  if (!(name in COMMANDS)) {
    process.stderr.write(`mmckd: unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  const cmd = loadCommand(name);
  if (!cmd) {
    process.stderr.write(`mmckd: command '${name}' is not available in this version of the kit\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  return cmd.run(rest);
}
