/** Typed errors of the data layer: each names the file, split and key at fault. */

/** Where in a dataset file an error was found. */
export interface DatasetErrorLocation {
  /** The file read. */
  file: string;
  /** The split ('train', 'valid', 'test') when the error is inside one. */
  split?: string;
  /** The key (e.g. 'audio', 'regression_labels') when one is at fault. */
  key?: string;
}

/** Messages longer than this are cut (a hostile file must not produce a megabyte error line). */
const MAX_MESSAGE_CHARS = 400;

/** Returns `text` cut to `max` characters, saying how much was left out. */
function cutText(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/** Lists names for a message: at most `max` of them, each cut to 40 characters. */
export function listForMessage(names: Iterable<unknown>, max = 12): string {
  const all = [...names].map((n) => cutText(String(n), 40));
  return all.length <= max ? all.join(', ') : `${all.slice(0, max).join(', ')} and ${all.length - max} more`;
}

/** A dataset file that is not what the loader expects (truncated, wrong keys, bad shapes ...). */
export class DatasetFormatError extends Error {
  readonly file: string;
  readonly split?: string;
  readonly key?: string;
  constructor(location: DatasetErrorLocation, problem: string) {
    const where = [location.file, location.split && `split '${location.split}'`, location.key && `key '${location.key}'`]
      .filter(Boolean)
      .join(', ');
    super(`${cutText(where, 300)}: ${cutText(problem)}`);
    this.name = 'DatasetFormatError';
    this.file = location.file;
    this.split = location.split;
    this.key = location.key;
  }
}

/** A pickle stream that is malformed or uses something the safe reader refuses. */
export class PickleError extends Error {
  /** Byte offset of the opcode at fault. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${cutText(message)} (at byte ${offset})`);
    this.name = 'PickleError';
    this.offset = offset;
  }
}

/** A pickle that names a global outside the allow-list (it would run code in Python). */
export class ForbiddenGlobalError extends PickleError {
  readonly module: string;
  readonly globalName: string;
  constructor(module: string, name: string, offset: number) {
    super(`refused global '${module}.${name}': only numpy array reconstruction globals are allowed`, offset);
    this.name = 'ForbiddenGlobalError';
    this.module = module;
    this.globalName = name;
  }
}
