/**
 * A named store of tf.Variables: the functional models own their weights here instead of in
 * tf.layers. Names are the checkpoint keys ('encoder.text.layer0.attention.qkv.w', ...); the
 * tfjs variable names are made unique per store so many models can live side by side.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, initialValues, mulberry32, type Initializer } from './init';

let storeCounter = 0;

/**
 * Initialisation of dense weights: Glorot uniform over (fanIn, fanOut), or uniform
 * (-1/sqrt(fanIn), 1/sqrt(fanIn)) ('fanIn', torch.nn.Linear's default).
 */
export type LinearInitKind = 'glorot' | 'fanIn';

/** Returns the initializer of a [fanIn, fanOut] dense weight under `kind`. */
export function linearWeightInit(kind: LinearInitKind, fanIn: number, fanOut: number): Initializer {
  return kind === 'fanIn' ? { kind: 'uniform', limit: 1 / Math.sqrt(fanIn) } : { kind: 'glorot', fanIn, fanOut };
}

/** Named, seeded, trainable variables of one model, with checkpointing by name. */
export class ParameterStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly uid: string;
  private disposed = false;

  /**
   * Creates an empty store; `seed` makes every parameter's initial values reproducible.
   * `linearInit` sets how dense layers' weights start (see `linearWeightInit`).
   */
  constructor(readonly seed: number, label = 'model', readonly linearInit: LinearInitKind = 'glorot') {
    this.uid = `${label}#${storeCounter++}`;
  }

  /**
   * Creates a trainable variable `name` of `shape`, initialised by `init` from a generator seeded
   * by (store seed, name): the same name always starts from the same values. Returns the variable.
   */
  add(name: string, shape: number[], init: Initializer): tf.Variable {
    if (this.vars.has(name)) throw new Error(`Expected a new parameter name, but '${name}' already exists`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = initialValues(size, init, mulberry32(deriveSeed(this.seed, name)));
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, `${this.uid}/${name}`));
    this.vars.set(name, v);
    return v;
  }

  /** Returns the parameter called `name`; throws naming it when absent. */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`Expected a parameter named '${name}', but the store has none`);
    return v;
  }

  /** Returns the parameter names in creation order. */
  names(): string[] {
    return [...this.vars.keys()];
  }

  /** Returns every trainable variable, in creation order (for optimizer.minimize / variableGrads). */
  variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Returns the number of scalar parameters whose name starts with `prefix` (all when omitted). */
  count(prefix = ''): number {
    let n = 0;
    for (const [name, v] of this.vars) if (name.startsWith(prefix)) n += v.size;
    return n;
  }

  /** Returns a copy of every weight by name; the caller owns (and disposes) the copies. */
  getWeights(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.vars) out[name] = tf.clone(v);
    return out;
  }

  /**
   * Assigns weights by name. Every parameter must be present with its exact shape; unknown names
   * are an error too (a checkpoint of another architecture). The inputs stay owned by the caller.
   */
  setWeights(weights: Record<string, tf.Tensor>): void {
    const unknown = Object.keys(weights).filter((k) => !this.vars.has(k));
    if (unknown.length > 0) throw new Error(`Expected only known parameter names, but got '${unknown.join("', '")}'`);
    for (const [name, v] of this.vars) {
      const w = weights[name];
      if (!w) throw new Error(`Expected a weight for parameter '${name}', but the checkpoint has none`);
      if (w.shape.join(',') !== v.shape.join(',')) {
        throw new Error(`Expected weight '${name}' of shape [${v.shape}], but got [${w.shape}]`);
      }
      tf.tidy(() => v.assign(w.dtype === 'float32' ? w : tf.cast(w, 'float32')));
    }
  }

  /** Disposes every variable; the store is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.disposed = true;
  }
}
