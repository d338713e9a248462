/** The --preset option of the commands that train or build models (train, grid, cost): one spelling of the presets' names. */
import { TRAIN_PRESET_NAMES, type TrainPresetName } from '../lib';
import { stringOption, type OptionSpec, type ParsedArgs } from './args';

/** The --preset option's table entry; `what` says what the preset sets, e.g. 'model size of random models'. */
export function presetOptionSpec(what?: string): OptionSpec {
  return { value: 'NAME', help: `${what ? `${what}: ` : ''}${TRAIN_PRESET_NAMES.join(' | ')}`, default: 'mosi' };
}

/** Returns the --preset option (default 'mosi'); throws naming the option and the presets otherwise. */
export function presetOption(p: ParsedArgs): TrainPresetName {
  const preset = stringOption(p, 'preset', 'mosi')!;
  if (!(TRAIN_PRESET_NAMES as readonly string[]).includes(preset)) throw new Error(`Expected --preset to be one of ${TRAIN_PRESET_NAMES.join(', ')}, but got '${preset}'`);
  return preset as TrainPresetName;
}
