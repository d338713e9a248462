/**
 * Adam over one flat buffer: the same update as tf.train.adam (tfjs 4.22's AdamOptimizer, element
 * for element and float32 op for float32 op), with far fewer kernel calls per step.
 *
 * tf.train.adam issues ~14 kernels per variable per step (358 variables in the MM-CKD step: ~5,000
 * calls, most of them on tiny tensors). Here the gradients are concatenated once into a flat
 * vector, Adam's moments live in two flat tensors, the update is ~12 kernels on the flat buffer and
 * the new values are split back and assigned (one split, one reshape per variable).
 *
 * What tfjs's AdamOptimizer computes, per variable (float32 tensors, JS numbers become float32
 * scalars): with accBeta_k = beta^k accumulated by float32 multiplication (starting at beta),
 *   m' = m * beta1 + g * (1 - beta1)
 *   v' = v * beta2 + g^2 * (1 - beta2)
 *   x' = ((m' / (1 - accBeta1)) / (sqrt(v' / (1 - accBeta2)) + epsilon)) * (-lr) + x
 * epsilon defaults to the backend's epsilon(), 1e-7 for float32 backends (not 1e-8 as in PyTorch).
 * The same kernels on the same values give bitwise the same results; test/train/flat-adam.test.ts
 * checks it against tf.train.adam.
 *
 * Checkpoints: getWeights/setWeights use tf.train.adam's format ([iterations, `${var}/m`...,
 * `${var}/v`...] in gradient order), so optimizer files written by either optimizer restore into
 * the other. Like tf.train.adam, restored moments are matched to gradients by position (variable
 * names carry a per-process uid), and the shapes must agree.
 *
 * The two reads past TensorFlow.js's public API it needs (a reshape without a kernel call, a
 * variable by name) are lib/accelerator/tfjs-internals.ts's, with the kit's others.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { registeredVariable, reshapeView } from '../accelerator/tfjs-internals';
import { clipFlatByGlobalNorm } from './schedule';

/** Returns the tensors reshaped to 1-D and concatenated in order (a new tensor; inputs are kept). */
export function flattenTensors(tensors: tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tensors.map((t) => reshapeView(t, [t.size]));
    return (flat.length === 1 ? tf.clone(flat[0]) : tf.concat(flat, 0)) as tf.Tensor1D;
  });
}

/** A tensor with a name, as tf.Optimizer's getWeights/setWeights use them. */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Layout {
  names: string[];
  shapes: number[][];
  sizes: number[];
}

function layoutOf(names: string[], shapes: number[][]): Layout {
  return { names, shapes, sizes: shapes.map((s) => s.reduce((a, b) => a * b, 1)) };
}

/** Adam (tf.train.adam's update, bit for bit) over flat buffers. */
export class FlatAdam extends tf.Optimizer {
  /** @nocollapse */
  static get className(): string {
    return 'FlatAdam';
  }

  /** tf.Optimizer's instanceof is duck-typed (any optimizer passes): narrow it to FlatAdams. */
  static [Symbol.hasInstance](instance: unknown): boolean {
    return typeof instance === 'object' && instance !== null && typeof (instance as FlatAdam).applyFlatGradients === 'function';
  }

  /** Read at every step: the trainer's schedule sets it, as for tf.train.adam. */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /**
   * Decoupled weight decay (AdamW, Loshchilov & Hutter 2019): each step also subtracts
   * lr * weightDecay * x, as torch.optim.AdamW does. 0 (the default) is plain Adam, bit for bit.
   */
  readonly weightDecay: number;
  /** beta^(step+1) as tf.train.adam accumulates it (float32 products), as JS numbers. */
  private accBeta1: number;
  private accBeta2: number;
  private layout: Layout | undefined;
  private m: tf.Tensor1D | undefined;
  private v: tf.Tensor1D | undefined;
  /** The variables' values as of the last step (flat), and the data each variable then held. */
  private x: tf.Tensor1D | undefined;
  private xDataIds: object[] = [];
  /** Moments restored by setWeights, waiting for the first step to meet their variables. */
  private restored: { layout: Layout; m: tf.Tensor1D; v: tf.Tensor1D } | undefined;
  /** Tensors handed out by the last getWeights; released at the next step, getWeights or dispose. */
  private exported: tf.Tensor[] = [];

  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, weightDecay = 0) {
    super();
    if (!(weightDecay >= 0)) throw new Error(`Expected weightDecay to be a number >= 0, but got ${weightDecay}`);
    this.weightDecay = weightDecay;
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon ?? tf.backend().epsilon();
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
  }

  /** tf.Optimizer's entry point: flattens the gradients (in their key order) and steps. */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients);
    const present = entries.filter(([, t]) => t != null);
    if (present.length !== entries.length) {
      throw new Error('FlatAdam: expected a gradient for every variable, but some are null');
    }
    const flat = flattenTensors(present.map(([, t]) => t));
    try {
      this.applyFlatGradients(flat, present.map(([n]) => n));
    } finally {
      flat.dispose();
    }
  }

  /**
   * One Adam step from the flat gradient of the variables `names` (concatenated in that order,
   * each flattened). The caller keeps (and disposes) `flatGradient`.
   */
  applyFlatGradients(flatGradient: tf.Tensor1D, names: string[]): void {
    const variables = names.map((n) => {
      const v = registeredVariable(n);
      if (!v) throw new Error(`FlatAdam: expected a registered variable named '${n}', but there is none`);
      return v;
    });
    this.ensureLayout(names, variables.map((v) => v.shape));
    const layout = this.layout!;
    const total = layout.sizes.reduce((a, b) => a + b, 0);
    if (flatGradient.size !== total) {
      throw new Error(`FlatAdam: expected a flat gradient of ${total} values, but got ${flatGradient.size}`);
    }
    this.releaseExported();
    const lr = this.learningRate;
    const oneMinusAccBeta1 = Math.fround(1 - this.accBeta1); // tfjs: sub(1, accBeta1) in float32
    const oneMinusAccBeta2 = Math.fround(1 - this.accBeta2);
    // The flat values of the last step are still the variables' values unless a variable was
    // assigned since (setWeights, best-checkpoint restore): then they are concatenated again.
    const cached = this.x !== undefined && variables.every((v, i) => v.dataId === this.xDataIds[i]);
    const [m, v, x] = tf.tidy(() => {
      const g = flatGradient;
      const newM = tf.add(tf.mul(this.m!, this.beta1), tf.mul(g, 1 - this.beta1));
      const newV = tf.add(tf.mul(this.v!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
      const mHat = tf.div(newM, oneMinusAccBeta1);
      const vHat = tf.div(newV, oneMinusAccBeta2);
      const x = cached ? this.x! : flattenTensors(variables);
      const decayed = this.weightDecay > 0 ? tf.mul(x, 1 - lr * this.weightDecay) : x; // AdamW's decoupled decay
      const newX = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -lr), decayed);
      const parts = layout.sizes.length === 1 ? [newX] : tf.split(newX, layout.sizes);
      parts.forEach((p, i) => variables[i].assign(reshapeView(p, layout.shapes[i])));
      return [newM, newV, newX] as tf.Tensor1D[];
    });
    tf.dispose([this.m!, this.v!, this.x].filter((t): t is tf.Tensor1D => t !== undefined));
    this.m = m;
    this.v = v;
    this.x = x;
    this.xDataIds = variables.map((variable) => variable.dataId);
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1)); // tfjs: mul(accBeta1, beta1)
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    this.incrementIterations();
  }

  private ensureLayout(names: string[], shapes: number[][]): void {
    if (this.layout) {
      const same = this.layout.names.length === names.length && this.layout.names.every((n, i) => n === names[i]);
      if (!same) {
        throw new Error(
          `FlatAdam: expected the gradients of the same ${this.layout.names.length} variables in the same order at every step, ` +
            `but got ${names.length} (first: '${names[0]}')`,
        );
      }
      return;
    }
    const layout = layoutOf(names, shapes);
    const total = layout.sizes.reduce((a, b) => a + b, 0);
    if (this.restored) {
      const r = this.restored;
      const mismatch = r.layout.shapes.length !== shapes.length
        ? `${r.layout.shapes.length} saved moments for ${shapes.length} variables`
        : shapes.findIndex((s, i) => s.length !== r.layout.shapes[i].length || s.some((d, k) => d !== r.layout.shapes[i][k]));
      if (typeof mismatch === 'string' || mismatch >= 0) {
        const what = typeof mismatch === 'string'
          ? mismatch
          : `variable ${mismatch} ('${names[mismatch]}') has shape [${shapes[mismatch]}] but its saved moment [${r.layout.shapes[mismatch]}]`;
        throw new Error(`FlatAdam: the restored optimizer state does not fit these variables: ${what}`);
      }
      this.m = r.m;
      this.v = r.v;
      this.restored = undefined;
    } else {
      this.m = tf.zeros([total]);
      this.v = tf.zeros([total]);
    }
    this.layout = layout;
  }

  private releaseExported(): void {
    tf.dispose(this.exported);
    this.exported = [];
  }

  /**
   * Returns [iterations, m per variable..., v per variable...] as tf.train.adam does. The tensors
   * are copies owned by the optimizer: valid until the next step, getWeights or dispose.
   */
  async getWeights(): Promise<NamedTensor[]> {
    this.releaseExported();
    const iter = await this.saveIterations();
    const state = this.layout ? { layout: this.layout, m: this.m!, v: this.v! } : this.restored;
    const out: NamedTensor[] = [iter];
    if (state) {
      const { names, shapes, sizes } = state.layout;
      const unflatten = (flat: tf.Tensor1D, suffix: string) => tf.tidy(() => {
        const parts = sizes.length === 1 ? [flat] : tf.split(flat, sizes);
        return parts.map((p, i) => ({ name: `${names[i]}/${suffix}`, tensor: tf.reshape(p, shapes[i]) }));
      });
      out.push(...unflatten(state.m, 'm'), ...unflatten(state.v, 'v'));
    }
    this.exported = out.map((w) => w.tensor);
    return out;
  }

  /**
   * Restores [iterations, m..., v...] as written by getWeights or tf.train.adam's getWeights.
   * Copies the values (the caller keeps its tensors); the moments meet their variables, by
   * position, at the next step.
   */
  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (rest.length % 2 !== 0) throw new Error(`FlatAdam: expected as many m as v moments, but got ${rest.length} tensors`);
    const count = rest.length / 2;
    const ms = rest.slice(0, count);
    const vs = rest.slice(count);
    ms.forEach((w, i) => {
      if (w.tensor.shape.join(',') !== vs[i].tensor.shape.join(',')) {
        throw new Error(`FlatAdam: expected moments m and v of '${w.name}' to have the same shape, but got [${w.tensor.shape}] and [${vs[i].tensor.shape}]`);
      }
    });
    // tf.train.adam restores accBeta as pow(beta, iterations + 1); the float32 products an
    // uninterrupted run accumulates are recomputed instead, so a resumed run continues exactly.
    let acc1 = Math.fround(this.beta1);
    let acc2 = Math.fround(this.beta2);
    for (let i = 0; i < this.iterations; i++) {
      acc1 = Math.fround(acc1 * Math.fround(this.beta1));
      acc2 = Math.fround(acc2 * Math.fround(this.beta2));
    }
    this.disposeState();
    this.accBeta1 = acc1;
    this.accBeta2 = acc2;
    if (count > 0) {
      const names = ms.map((w) => w.name.replace(/\/m$/, ''));
      this.restored = {
        layout: layoutOf(names, ms.map((w) => w.tensor.shape)),
        m: tf.keep(flattenTensors(ms.map((w) => w.tensor))),
        v: tf.keep(flattenTensors(vs.map((w) => w.tensor))),
      };
    }
  }

  private disposeState(): void {
    this.releaseExported();
    tf.dispose([this.m, this.v, this.x, this.restored?.m, this.restored?.v].filter((t): t is tf.Tensor1D => t != null));
    this.m = this.v = this.x = undefined;
    this.xDataIds = [];
    this.restored = undefined;
    this.layout = undefined;
  }

  dispose(): void {
    this.disposeState();
  }

  getConfig(): tf.serialization.ConfigDict {
    const adam = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    return this.weightDecay > 0 ? { ...adam, weightDecay: this.weightDecay } : adam; // plain Adam: tf.train.adam's config
  }

  /** @nocollapse */
  static fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>, config: tf.serialization.ConfigDict): T {
    return new cls(config.learningRate, config.beta1, config.beta2, config.epsilon, config.weightDecay ?? 0);
  }
}

/** Gradients concatenated into one flat buffer, with each one's name and shape in order. */
export interface FlatGradients {
  /** [sum of sizes] every gradient, reshaped to 1-D and concatenated in `names` order. */
  flat: tf.Tensor1D;
  names: string[];
  shapes: number[][];
}

/** Returns the gradients as one flat buffer (a new tensor); disposes `grads`. */
export function flattenGradients(grads: tf.NamedTensorMap): FlatGradients {
  const names = Object.keys(grads);
  const shapes = names.map((n) => grads[n].shape);
  const flat = flattenTensors(names.map((n) => grads[n]));
  tf.dispose(names.map((n) => grads[n]));
  return { flat, names, shapes };
}

/**
 * Clips flat gradients whose global norm the caller read (`hostL2Norm`) to `clipNorm` (0
 * disables) with `clipFlatByGlobalNorm` and applies them with `optimizer`; returns nothing and
 * disposes `g.flat`. With a FlatAdam the scaling and the update work on the flat buffer; any other
 * optimizer gets the clipped gradients back in their shapes.
 */
export function clipAndApplyFlatGradients(optimizer: tf.Optimizer, g: FlatGradients, clipNorm: number, norm: number): void {
  let clipped: tf.Tensor1D | undefined;
  try {
    clipped = clipFlatByGlobalNorm(g.flat, clipNorm, norm);
    if (optimizer instanceof FlatAdam) {
      optimizer.applyFlatGradients(clipped, g.names);
    } else {
      const c = clipped;
      const grads: tf.NamedTensorMap = tf.tidy(() => {
        const parts = g.names.length === 1 ? [c] : tf.split(c, g.shapes.map((s) => s.reduce((a, b) => a * b, 1)));
        return Object.fromEntries(g.names.map((n, i) => [n, tf.reshape(parts[i], g.shapes[i])]));
      });
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
    }
  } finally {
    clipped?.dispose();
    g.flat.dispose();
  }
}
