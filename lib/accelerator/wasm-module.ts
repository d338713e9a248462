/**
 * The fused kernels as a WebAssembly module (native/wasm/mmckd_kernels.wasm, built by
 * scripts/build-wasm.cjs from the addon's own C sources, native/src/mmckd_encoder.c and
 * mmckd_heads.c, with a SIMD128 sgemm in place of OpenBLAS): what the kit runs where the OpenBLAS
 * addon is not built (no compiler, no libopenblas-dev, macOS, Windows), with Node alone.
 *
 * The module is position-independent and imports the TensorFlow.js wasm backend's own memory: its
 * data block and stack are allocated with the backend's malloc, so the kernels read and write the
 * backend's tensors in place at their byte offsets, exactly like the addon (no copies). One
 * instance per backend, made at the first kernel call. `MMCKD_WASM_KERNELS=0` turns it off; a path
 * there loads the module from that file.
 * @see docs/native-kernels.md
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KIT_ROOT } from '../paths';
import type { FusedKernelPack, ProductPack } from './addon';
import type { WasmBackendLike } from './tfjs-internals';

/** The parts of the WebAssembly JavaScript API the loader uses (the kit compiles without the DOM library, which declares them). */
interface WasmModule { readonly __brand?: 'WebAssembly.Module' }
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Module: { new (bytes: Uint8Array): WasmModule; imports(m: WasmModule): { module: string; name: string; kind: string }[]; customSections(m: WasmModule, name: string): ArrayBuffer[] };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
  Table: new (d: { initial: number; element: 'anyfunc' }) => object;
  Global: new (d: { value: 'i32'; mutable: boolean }, v: number) => object;
}
const WebAssembly = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Environment variable: '0' turns the WebAssembly kernels off; a path loads the module from there. */
export const WASM_KERNELS_ENV = 'MMCKD_WASM_KERNELS';

/** The committed module (rebuilt and compared byte for byte by `npm run build:wasm -- --check`). */
export const DEFAULT_WASM_KERNELS_PATH = resolve(KIT_ROOT, 'native', 'wasm', 'mmckd_kernels.wasm');

/** What the module imports; anything else means a module this loader does not know how to link. */
const EXPECTED_IMPORTS = new Set(['memory', '__indirect_function_table', '__stack_pointer', '__memory_base', '__table_base', 'mmckd_host_malloc', 'mmckd_host_free']);

/** Bytes of the module's stack (the kernels keep at most a few KB there). */
const STACK_BYTES = 256 * 1024;

/** The compiled module, or why not. */
export type WasmKernelsLoad = { ok: true; module: WasmModule; path: string } | { ok: false; reason: string };

const compiled = new Map<string, WasmKernelsLoad>();

/** Returns the compiled module or the one-line reason it is unavailable (cached per path). */
export function loadWasmKernels(env: Record<string, string | undefined> = process.env): WasmKernelsLoad {
  const setting = env[WASM_KERNELS_ENV]?.trim();
  if (setting === '0' || setting?.toLowerCase() === 'off') return { ok: false, reason: `${WASM_KERNELS_ENV}=${setting} turns them off` };
  const path = setting && setting !== '1' ? resolve(setting) : DEFAULT_WASM_KERNELS_PATH;
  const known = compiled.get(path);
  if (known) return known;
  let result: WasmKernelsLoad;
  if (!WebAssembly) result = { ok: false, reason: 'this JavaScript engine has no WebAssembly' };
  else if (!existsSync(path)) result = { ok: false, reason: `${path} is missing (npm run build:wasm builds it; needs clang and wasm-ld)` };
  else {
    try {
      const module = new WebAssembly.Module(readFileSync(path));
      const unknown = WebAssembly.Module.imports(module).map((i) => i.name).filter((n) => !EXPECTED_IMPORTS.has(n));
      if (unknown.length > 0) throw new Error(`it imports what the loader does not provide: ${unknown.join(', ')}`);
      dylinkMemory(module);
      result = { ok: true, module, path };
    } catch (err) {
      result = { ok: false, reason: `the WebAssembly kernels did not compile: ${(err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200)}` };
    }
  }
  compiled.set(path, result);
  return result;
}

/** Reads the size and alignment of the module's data block from its dylink.0 section (the tool conventions of WebAssembly dynamic linking). */
function dylinkMemory(module: WasmModule): { size: number; align: number; tableSize: number } {
  const sections = WebAssembly!.Module.customSections(module, 'dylink.0');
  if (sections.length !== 1) throw new Error('not a position-independent module (no dylink.0 section)');
  const bytes = new Uint8Array(sections[0]);
  let at = 0;
  const leb = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const type = bytes[at++];
    const length = leb();
    const end = at + length;
    if (type === 1) { // WASM_DYLINK_MEM_INFO
      const size = leb();
      const align = 2 ** leb();
      const tableSize = leb();
      return { size, align, tableSize };
    }
    at = end;
  }
  throw new Error('dylink.0 has no memory information');
}

/** The parts of the wasm backend the loader needs besides the kernels' (its Emscripten module). */
interface EmscriptenBackend extends WasmBackendLike {
  wasm: WasmBackendLike['wasm'] & { asm?: { memory?: WasmMemory }; _malloc(n: number): number; _free(p: number): void };
}

interface Exports {
  __wasm_apply_data_relocs?: () => void;
  __wasm_call_ctors?: () => void;
  mmckd_args(): number;
  mmckd_arg_capacity(): number;
  mmckd_encoder_forward(nOffsets: number, keep: number): number;
  mmckd_encoder_backward(nOffsets: number): number;
  mmckd_alea_uniform(seed: number, outOffset: number, n: number): number;
  mmckd_heads(which: number, nOffsets: number, nSpec: number): number;
  mmckd_batch_matmul(): number;
  mmckd_bias_activation(): number;
  mmckd_transpose(): number;
}

const HEADS = { fusionForward: 0, fusionBackward: 1, regressionForward: 2, regressionBackward: 3, projectionForward: 4, projectionBackward: 5 } as const;

/** The kernels of one module instance, linked into one wasm backend's memory. */
class WasmKernelPack implements FusedKernelPack, ProductPack {
  private readonly exports: Exports;
  private readonly memory: WasmMemory;
  private readonly args: number;
  private readonly capacity: number;

  constructor(module: WasmModule, private readonly backend: EmscriptenBackend) {
    const WA = WebAssembly!;
    const memory = backend.wasm.asm?.memory;
    if (!memory || !(memory instanceof WA.Memory) || memory.buffer !== backend.wasm.HEAPU8.buffer) {
      throw new Error('the wasm backend does not expose its WebAssembly.Memory (asm.memory): the WebAssembly kernels cannot share it');
    }
    this.memory = memory;
    const { size, align, tableSize } = dylinkMemory(module);
    const malloc = (n: number): number => {
      const p = backend.wasm._malloc(n);
      if (!p) throw new Error(`the wasm backend could not allocate ${n} bytes for the WebAssembly kernels`);
      return p;
    };
    const data = malloc(size + align);
    const base = Math.ceil(data / align) * align;
    backend.wasm.HEAPU8.fill(0, base, base + size); // the module's .bss starts zeroed
    const stack = malloc(STACK_BYTES);
    const instance = new WA.Instance(module, {
      env: {
        memory,
        __indirect_function_table: new WA.Table({ initial: tableSize, element: 'anyfunc' }),
        __stack_pointer: new WA.Global({ value: 'i32', mutable: true }, (stack + STACK_BYTES) & ~15),
        __memory_base: new WA.Global({ value: 'i32', mutable: false }, base),
        __table_base: new WA.Global({ value: 'i32', mutable: false }, 0),
        mmckd_host_malloc: (n: number) => backend.wasm._malloc(n),
        mmckd_host_free: (p: number) => backend.wasm._free(p),
      },
    });
    this.exports = instance.exports as unknown as Exports;
    this.exports.__wasm_apply_data_relocs?.();
    this.exports.__wasm_call_ctors?.();
    this.args = this.exports.mmckd_args();
    this.capacity = this.exports.mmckd_arg_capacity();
  }

  /** Writes the argument lists one after another into the module's argument block. */
  private write(name: string, ...lists: readonly number[][]): void {
    const total = lists.reduce((n, l) => n + l.length, 0);
    if (total > this.capacity) throw new RangeError(`mmckd wasm kernels.${name}: ${total} arguments, more than the ${this.capacity} the module takes`);
    const view = new Float64Array(this.memory.buffer, this.args, total); // a fresh view: the memory may have grown
    let at = 0;
    for (const list of lists) {
      view.set(list, at);
      at += list.length;
    }
  }

  private check(name: string, code: number): void {
    if (code === 0) return;
    if (code === 1) throw new TypeError(`mmckd wasm kernels.${name}: bad arguments (counts, dims or spec)`);
    if (code === 2) throw new RangeError(`mmckd wasm kernels.${name}: operand outside the heap, misaligned, or a seed out of range`);
    throw new Error(`mmckd wasm kernels.${name}: out of memory`);
  }

  encoderForward(_heap: ArrayBuffer, offsets: number[], dims: number[], seeds: number[], keep: number): void {
    this.write('encoderForward', offsets, dims, seeds);
    this.check('encoderForward', this.exports.mmckd_encoder_forward(offsets.length, keep));
  }

  encoderBackward(_heap: ArrayBuffer, offsets: number[], dims: number[]): void {
    this.write('encoderBackward', offsets, dims);
    this.check('encoderBackward', this.exports.mmckd_encoder_backward(offsets.length));
  }

  private heads(name: keyof typeof HEADS, offsets: number[], dims: number[], spec: number[] = []): void {
    this.write(name, offsets, dims, spec);
    this.check(name, this.exports.mmckd_heads(HEADS[name], offsets.length, spec.length));
  }

  fusionForward(_heap: ArrayBuffer, offsets: number[], dims: number[], spec: number[]): void { this.heads('fusionForward', offsets, dims, spec); }
  fusionBackward(_heap: ArrayBuffer, offsets: number[], dims: number[], spec: number[]): void { this.heads('fusionBackward', offsets, dims, spec); }
  regressionForward(_heap: ArrayBuffer, offsets: number[], dims: number[]): void { this.heads('regressionForward', offsets, dims); }
  regressionBackward(_heap: ArrayBuffer, offsets: number[], dims: number[]): void { this.heads('regressionBackward', offsets, dims); }
  projectionForward(_heap: ArrayBuffer, offsets: number[], dims: number[]): void { this.heads('projectionForward', offsets, dims); }
  projectionBackward(_heap: ArrayBuffer, offsets: number[], dims: number[]): void { this.heads('projectionBackward', offsets, dims); }

  batchMatMul(_heap: ArrayBuffer, aOffset: number, bOffset: number, cOffset: number, batch: number, m: number, n: number, k: number,
    transposeA: number, transposeB: number, aStride: number, bStride: number): void {
    this.write('batchMatMul', [aOffset, bOffset, cOffset, batch, m, n, k, transposeA, transposeB, aStride, bStride]);
    this.check('batchMatMul', this.exports.mmckd_batch_matmul());
  }

  biasActivation(_heap: ArrayBuffer, cOffset: number, biasOffset: number, rows: number, cols: number, activation: number): void {
    this.write('biasActivation', [cOffset, biasOffset, rows, cols, activation]);
    this.check('biasActivation', this.exports.mmckd_bias_activation());
  }

  transpose(_heap: ArrayBuffer, xOffset: number, yOffset: number, shape: number[], perm: number[]): void {
    this.write('transpose', [xOffset, yOffset, shape.length], shape, perm);
    this.check('transpose', this.exports.mmckd_transpose());
  }

  aleaUniform(seed: number, n: number): Float32Array {
    const out = this.backend.wasm._malloc(Math.max(4, 4 * n));
    try {
      this.check('aleaUniform', this.exports.mmckd_alea_uniform(seed, out, n));
      return new Float32Array(this.memory.buffer, out, n).slice();
    } finally {
      this.backend.wasm._free(out);
    }
  }
}

const instances = new WeakMap<object, WasmKernelPack>();

/** Returns the function that gives each wasm backend its linked instance of `module` (made once per backend). */
export function wasmKernelPackFor(module: WasmModule): (backend: WasmBackendLike) => FusedKernelPack & ProductPack {
  return (backend) => {
    let pack = instances.get(backend);
    if (!pack) {
      pack = new WasmKernelPack(module, backend as EmscriptenBackend);
      instances.set(backend, pack);
    }
    return pack;
  };
}
