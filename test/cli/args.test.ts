import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integerOption, numberOption, optionsHelp, parseOptions, usageText, type OptionTable } from '../../cli/args';
import { main } from '../../cli/main';

const TABLE: OptionTable = {
  seed: { value: 'N', help: 'a seed', default: '1' },
  tau: { value: 'X', help: 'a temperature' },
  json: { help: 'print JSON' },
  'teacher-init': { value: 'pretrained|scratch', help: 'first line\nsecond line', default: 'pretrained' },
};

test('options parse through util.parseArgs: values, flags, --key=value, negative numbers as values', () => {
  const p = parseOptions(['--seed', '7', '--json', '--tau=-0.5'], TABLE);
  assert.deepEqual(p, { options: { seed: '7', json: true, tau: '-0.5' }, positionals: [] });
  assert.equal(parseOptions(['--tau', '-1'], TABLE).options.tau, '-1');
  assert.equal(parseOptions(['--tau', '-.5'], TABLE).options.tau, '-.5');
  assert.equal(integerOption(parseOptions(['--seed', '42'], TABLE), 'seed', 0), 42);
  assert.equal(numberOption(parseOptions([], TABLE), 'tau', 0.07), 0.07);
});

test('bad command lines are refused naming the option or argument at fault', () => {
  assert.throws(() => parseOptions(['--sed', '1'], TABLE), /unknown option '--sed' \(known: --seed, --tau, --json, --teacher-init\)/);
  assert.throws(() => parseOptions(['--seed'], TABLE), /option '--seed' needs a value/);
  assert.throws(() => parseOptions(['--seed', '--json'], TABLE), /option '--seed' needs a value/);
  assert.throws(() => parseOptions(['--json=1'], TABLE), /'--json' does not take an argument/);
  assert.throws(() => parseOptions(['-x'], TABLE), /unknown option '-x'/);
  assert.throws(() => parseOptions(['extra'], TABLE), /unexpected argument 'extra'/);
  assert.deepEqual(parseOptions(['inspect', 'synthetic'], TABLE, 2).positionals, ['inspect', 'synthetic']);
  assert.throws(() => integerOption(parseOptions(['--seed', '0x10'], TABLE), 'seed', 0), /Expected --seed to be an integer from 0/);
  assert.throws(() => numberOption(parseOptions(['--tau', '1e400'], TABLE), 'tau'), /Expected --tau to be a finite decimal number, but got '1e400'/);
});

test('the help is generated from the table: every option, its placeholder, continuation lines and default', () => {
  const help = optionsHelp(TABLE);
  assert.match(help, /^ {2}--seed N +a seed \(default 1\)$/m);
  assert.match(help, /^ {2}--json +print JSON$/m);
  assert.match(help, /^ {2}--teacher-init pretrained\|scratch\n {2}\s+first line\n\s+second line \(default pretrained\)$/m);
  const usage = usageText('mmckd demo [options]', TABLE, 'Notes.', 'Intro.');
  assert.equal(usage.split('\n\n')[0], 'Usage: mmckd demo [options]');
  assert.ok(usage.indexOf('Intro.') < usage.indexOf('Options:') && usage.endsWith('Notes.'));
});

/** Runs the CLI, returning what it printed (stdout and stderr) and the message of what it threw. */
async function runCli(args: string[]): Promise<string> {
  const out: string[] = [];
  const write = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)] as const;
  const capture = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    await main(args);
  } catch (err) {
    out.push((err as Error).message);
  } finally {
    [process.stdout.write, process.stderr.write] = write;
  }
  return out.join('');
}

test("every command's --help lists every option its parser accepts", async () => {
  for (const name of ['train', 'eval', 'grid', 'cost', 'data', 'info', 'metrics']) {
    const help = await runCli([name, '--help']);
    assert.match(help, new RegExp(`^Usage: mmckd ${name}`), name);
    // an unknown option's error lists the accepted ones: each must appear in the help
    const error = await runCli([name, '--no-such-option', ...(name === 'data' ? ['inspect', 'synthetic:quick'] : [])]);
    const known = /\(known: ([^)]*)\)/.exec(error)?.[1].split(', ') ?? [];
    assert.ok(known.length > 0, `${name}: ${error}`);
    for (const option of known) assert.ok(help.includes(`  ${option} `) || help.includes(`  ${option}\n`), `${name} --help lacks ${option}`);
  }
});
