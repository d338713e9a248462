/*
 * The WebAssembly build of the kit's fused kernels (native/src/mmckd_encoder.c, mmckd_heads.c: the
 * same source as the OpenBLAS addon; the products run on the SIMD128 sgemm of mmckd_sgemm.c).
 *
 * The module is position-independent (wasm-ld --experimental-pic -shared) and imports the
 * TensorFlow.js wasm backend's own memory: lib/native/wasm-module.ts places the module's data and
 * stack in blocks it allocates from that backend, so the kernels read and write the backend's
 * tensors in place, exactly as the addon does. Scratch memory comes from the backend's malloc
 * (imported as mmckd_host_malloc / mmckd_host_free).
 *
 * It also has the products, bias + activation and transpose of mmckd_products.c (the addon's
 * batchMatMul, biasActivation, transpose).
 *
 * Calls: JavaScript writes the arguments (byte offsets, dims, seeds or spec, as doubles) into the
 * block that mmckd_args() returns, then calls an export; each checks every operand lies inside the
 * memory before reading or writing. Return codes: 0 ok, 1 bad arguments, 2 an operand outside the
 * memory or misaligned (or a seed out of range), 3 out of memory.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../src/mmckd_encoder.h"
#include "../src/mmckd_heads.h"
#include "../src/mmckd_products.h"

#define EXPORT(name) __attribute__((export_name(name), visibility("default")))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))

enum { OK = 0, BAD_ARGS = 1, OUTSIDE = 2, NO_MEMORY = 3 };

/* ---- libc: malloc over the host's, expf ---- */

IMPORT("mmckd_host_malloc") void *mmckd_host_malloc(size_t n);
IMPORT("mmckd_host_free") void mmckd_host_free(void *p);

/* A 16-byte header keeps each block's size (for realloc) and the host's alignment. */
void *malloc(size_t n) {
  uint8_t *p = (uint8_t *)mmckd_host_malloc(n + 16);
  if (!p) return NULL;
  *(size_t *)p = n;
  return p + 16;
}

void free(void *q) {
  if (q) mmckd_host_free((uint8_t *)q - 16);
}

void *realloc(void *q, size_t n) {
  if (!q) return malloc(n);
  const size_t old = *(size_t *)((uint8_t *)q - 16);
  if (n <= old) return q;
  void *r = malloc(n);
  if (!r) return NULL;
  __builtin_memcpy(r, q, old);
  free(q);
  return r;
}

/*
 * expf: e^x = 2^n e^r with n = round(x / ln 2), |r| <= ln 2 / 2, e^r by its Taylor polynomial of
 * degree 8 (error < 3e-10), all in double, then rounded once to float: within half an ulp of
 * e^x plus 3e-10 relative (glibc's expf is correctly rounded in nearly every case; the two differ
 * by at most one ulp, rarely).
 */
float expf(float xf) {
  if (xf != xf) return xf;
  if (xf > 88.72283935546875f) return __builtin_inff();
  if (xf < -103.97283935546875f) return 0.f;
  const double x = xf;
  const double n = __builtin_roundeven(x * 1.4426950408889634);
  const double r = x - n * 0.6931471805599453;
  double p = 1.0 / 40320;
  p = p * r + 1.0 / 5040;
  p = p * r + 1.0 / 720;
  p = p * r + 1.0 / 120;
  p = p * r + 1.0 / 24;
  p = p * r + 1.0 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  union {
    uint64_t u;
    double d;
  } scale = {.u = (uint64_t)((int64_t)n + 1023) << 52};
  return (float)(p * scale.d);
}

/* ---- arguments and operands ---- */

#define ARG_CAPACITY 2048
#define MAX_MODELS 64

static double args[ARG_CAPACITY];

/* The argument block (ARG_CAPACITY doubles) that JavaScript fills before each call. */
EXPORT("mmckd_args") double *mmckd_args(void) { return args; }

EXPORT("mmckd_arg_capacity") int mmckd_arg_capacity(void) { return ARG_CAPACITY; }

static int is_int(double v) { return v == (double)(int64_t)v; }

/* Reads n integers from args[at ..] into out; 0 when one is not an integer. */
static int ints(int at, int n, int64_t *out) {
  if (at < 0 || n < 0 || at + n > ARG_CAPACITY) return 0;
  for (int i = 0; i < n; i++) {
    if (!is_int(args[at + i])) return 0;
    out[i] = (int64_t)args[at + i];
  }
  return 1;
}

/* The floats at byte offset off, or NULL when [off, off + 4 n) leaves the memory or is misaligned. */
static float *floats_at(int64_t off, int64_t n) {
  const int64_t len = (int64_t)__builtin_wasm_memory_size(0) * 65536;
  if (off <= 0 || n < 0 || off % 4 != 0 || off + 4 * n > len) return NULL;
  return (float *)(uintptr_t)off;
}

/* ---- products, bias + activation, transpose (as mmckd_blas.c's bindings) ---- */

/* The extent of a strided batch in floats: (batch - 1) stride + size. */
static int64_t strided(int64_t batch, int64_t stride, int64_t size) { return (batch - 1) * stride + size; }

/* args: aOff, bOff, cOff, batch, m, n, k, transA, transB, aStride, bStride (elements; 0 broadcasts). */
EXPORT("mmckd_batch_matmul") int batch_matmul(void) {
  int64_t v[11];
  if (!ints(0, 11, v)) return BAD_ARGS;
  const int64_t batch = v[3], m = v[4], n = v[5], k = v[6], as = v[9], bs = v[10];
  if (batch < 1 || m < 0 || n < 0 || k < 0 || as < 0 || bs < 0) return BAD_ARGS;
  const float *a = floats_at(v[0], strided(batch, as, m * k)), *b = floats_at(v[1], strided(batch, bs, k * n));
  float *c = floats_at(v[2], batch * m * n);
  if (!a || !b || !c) return OUTSIDE;
  mmckd_batch_matmul(a, b, c, batch, m, n, k, v[7] != 0, v[8] != 0, as, bs);
  return OK;
}

/* args: cOff, biasOff (-1: none), rows, cols, activation (0 linear, 1 relu). */
EXPORT("mmckd_bias_activation") int bias_activation(void) {
  int64_t v[5];
  if (!ints(0, 5, v) || v[2] < 0 || v[3] < 0) return BAD_ARGS;
  float *c = floats_at(v[0], v[2] * v[3]);
  const float *bias = v[1] >= 0 ? floats_at(v[1], v[3]) : NULL;
  if (!c || (v[1] >= 0 && !bias)) return OUTSIDE;
  mmckd_bias_activation(c, bias, v[2], v[3], (int)v[4]);
  return OK;
}

/* args: xOff, yOff, rank, shape [rank], perm [rank]; 4-byte elements. */
EXPORT("mmckd_transpose") int transpose(void) {
  int64_t head[3], shape[8], perm[8], size = 0;
  if (!ints(0, 3, head) || head[2] < 1 || head[2] > 8) return BAD_ARGS;
  const int rank = (int)head[2];
  if (!ints(3, rank, shape) || !ints(3 + rank, rank, perm) || !mmckd_transpose_valid(rank, shape, perm, &size)) return BAD_ARGS;
  if (size == 0) return OK;
  const float *x = floats_at(head[0], size);
  float *y = floats_at(head[1], size);
  if (!x || !y) return OUTSIDE;
  mmckd_transpose(x, y, rank, shape, perm);
  return OK;
}

/* ---- the fused encoder (offsets, dims as in mmckd_encoder_napi.c) ---- */

static int encoder_dims(int at, mmckd_encoder_dims *dm) {
  int64_t v[7];
  if (!ints(at, 7, v)) return 0;
  dm->B = v[0], dm->T = v[1], dm->D = v[2], dm->k = v[3], dm->d = v[4];
  dm->tanh = v[5] != 0, dm->dropout = v[6] != 0;
  return dm->B >= 0 && dm->T >= 0 && dm->D >= 0 && dm->k >= 1 && dm->k <= MAX_MODELS && dm->d >= 1 && dm->T <= 1 << 20;
}

/* args: offsets x, mask, pooled, workspace, w_j, b_j, sw_j, sb_j (n_off = 4 + 4k); dims [7]; seeds [k]. */
EXPORT("mmckd_encoder_forward") int encoder_forward(int n_off, double keep) {
  mmckd_encoder_dims dm;
  int64_t off[4 + 4 * MAX_MODELS], seeds64[MAX_MODELS];
  if (n_off < 4 || n_off > 4 + 4 * MAX_MODELS || !encoder_dims(n_off, &dm) || n_off != 4 + 4 * dm.k || !ints(0, n_off, off) ||
      !ints(n_off + 7, (int)dm.k, seeds64) || !(keep > 0 && keep <= 1)) {
    return BAD_ARGS;
  }
  dm.keep = (float)keep;
  const int64_t k = dm.k, BT = dm.B * dm.T;
  const float *x = floats_at(off[0], BT * dm.D), *mask = floats_at(off[1], BT);
  float *pooled = floats_at(off[2], dm.B * k * dm.d);
  const float *w[MAX_MODELS], *b[MAX_MODELS], *sw[MAX_MODELS], *sb[MAX_MODELS];
  uint32_t seeds[MAX_MODELS];
  int ok = x && mask && pooled;
  for (int64_t j = 0; j < k && ok; j++) {
    w[j] = floats_at(off[4 + j], dm.D * dm.d);
    b[j] = floats_at(off[4 + k + j], dm.d);
    sw[j] = floats_at(off[4 + 2 * k + j], dm.d);
    sb[j] = floats_at(off[4 + 3 * k + j], 1);
    seeds[j] = (uint32_t)seeds64[j];
    ok = w[j] && b[j] && sw[j] && sb[j] && seeds64[j] >= 0 && seeds64[j] <= 0xffffffffLL;
  }
  float *ws = ok ? floats_at(off[3], mmckd_encoder_workspace_size(&dm, mmckd_encoder_valid_rows(mask, BT))) : NULL;
  if (!ws) return OUTSIDE;
  mmckd_encoder_params pm = {w, b, sw, sb};
  return mmckd_encoder_forward(&dm, &pm, x, mask, seeds, pooled, ws) == 0 ? OK : NO_MEMORY;
}

/* args: offsets x, mask, workspace, dpooled, sw_j, then dw_j, db_j, dsw_j, dsb_j (n_off = 4 + 5k); dims [7]. */
EXPORT("mmckd_encoder_backward") int encoder_backward(int n_off) {
  mmckd_encoder_dims dm;
  int64_t off[4 + 5 * MAX_MODELS];
  if (n_off < 4 || n_off > 4 + 5 * MAX_MODELS || !encoder_dims(n_off, &dm) || n_off != 4 + 5 * dm.k || !ints(0, n_off, off)) return BAD_ARGS;
  dm.keep = 1;
  const int64_t k = dm.k, BT = dm.B * dm.T;
  const float *x = floats_at(off[0], BT * dm.D), *mask = floats_at(off[1], BT);
  const float *ws = mask ? floats_at(off[2], mmckd_encoder_workspace_size(&dm, mmckd_encoder_valid_rows(mask, BT))) : NULL;
  const float *dpooled = floats_at(off[3], dm.B * k * dm.d);
  const float *sw[MAX_MODELS];
  float *dw[MAX_MODELS], *db[MAX_MODELS], *dsw[MAX_MODELS], *dsb[MAX_MODELS];
  int ok = x && mask && ws && dpooled;
  for (int64_t j = 0; j < k && ok; j++) {
    sw[j] = floats_at(off[4 + j], dm.d);
    dw[j] = floats_at(off[4 + k + j], dm.D * dm.d);
    db[j] = floats_at(off[4 + 2 * k + j], dm.d);
    dsw[j] = floats_at(off[4 + 3 * k + j], dm.d);
    dsb[j] = floats_at(off[4 + 4 * k + j], 1);
    ok = sw[j] && dw[j] && db[j] && dsw[j] && dsb[j];
  }
  if (!ok) return OUTSIDE;
  mmckd_encoder_params pm = {NULL, NULL, sw, NULL};
  mmckd_encoder_grads gr = {dw, db, dsw, dsb};
  return mmckd_encoder_backward(&dm, &pm, &gr, x, mask, ws, dpooled) == 0 ? OK : NO_MEMORY;
}

/* Writes the first n numbers of tf.randomUniform(shape, 0, 1, 'float32', seed) at byte offset out. */
EXPORT("mmckd_alea_uniform") int alea_uniform(double seed, double out, int n) {
  if (!is_int(seed) || seed < 0 || seed > 4294967295.0 || !is_int(out) || n < 0) return BAD_ARGS;
  float *o = floats_at((int64_t)out, n);
  if (!o) return OUTSIDE;
  mmckd_alea_uniform((uint32_t)seed, o, n);
  return OK;
}

/* ---- the fusion and heads (offsets as in mmckd_heads_napi.c) ---- */

#define MAX_OFFSETS (6 + 12 * MAX_HEAD_MODELS)

typedef struct {
  heads_dims h;
  int64_t off[MAX_OFFSETS];
  int count;
} call_args;

/* Offsets [first, first + count) as float pointers of the given sizes (cycled per model when per_model). */
static int resolve(const call_args *c, int64_t first, int64_t count, const int64_t *sizes, int64_t per_model, float **out) {
  if (first + count > c->count) return 0;
  for (int64_t q = 0; q < count; q++) {
    out[q] = floats_at(c->off[first + q], sizes[per_model ? q % per_model : q]);
    if (!out[q]) return 0;
  }
  return 1;
}

static int modalities(const call_args *c, int64_t first, float *out[MODALITY_COUNT]) {
  if (first + MODALITY_COUNT > c->count) return 0;
  for (int m = 0; m < MODALITY_COUNT; m++) {
    out[m] = NULL;
    if (c->h.k[m] > 0 && !(out[m] = floats_at(c->off[first + m], c->h.B * c->h.k[m] * c->h.d))) return 0;
  }
  return 1;
}

static int fusion_forward(const call_args *c) {
  const heads_dims *h = &c->h;
  float *f, *ws, *pooled[MODALITY_COUNT], *wt[2 * MAX_HEAD_MODELS];
  const int64_t fsize[1] = {h->n * h->B * h->d}, wsize[1] = {mmckd_fusion_workspace(h)};
  int ok = c->count == 5 + 2 * h->n && resolve(c, 0, 1, fsize, 0, &f) && resolve(c, 1, 1, wsize, 0, &ws) && modalities(c, 2, pooled);
  for (int64_t i = 0; i < h->n && ok; i++) {
    const int64_t sizes[2] = {h->m[i] * h->d * h->d, h->d};
    ok = resolve(c, 5 + 2 * i, 2, sizes, 0, wt + 2 * i);
  }
  if (!ok) return OUTSIDE;
  mmckd_fusion_forward(h, pooled, (const float *const *)wt, f, ws);
  return OK;
}

static int fusion_backward(const call_args *c) {
  const heads_dims *h = &c->h;
  float *df, *f, *ws, *dpooled[MODALITY_COUNT], *wf[MAX_HEAD_MODELS], *gr[2 * MAX_HEAD_MODELS];
  const int64_t fsize[1] = {h->n * h->B * h->d}, wsize[1] = {mmckd_fusion_workspace(h)};
  int ok = c->count == 6 + 3 * h->n && resolve(c, 0, 1, fsize, 0, &df) && resolve(c, 1, 1, fsize, 0, &f) && resolve(c, 2, 1, wsize, 0, &ws) &&
           modalities(c, 3, dpooled);
  int64_t maxm = 1;
  for (int64_t i = 0; i < h->n && ok; i++) {
    const int64_t wsz[1] = {h->m[i] * h->d * h->d}, gsz[2] = {h->m[i] * h->d * h->d, h->d};
    ok = resolve(c, 6 + i, 1, wsz, 0, wf + i) && resolve(c, 6 + h->n + 2 * i, 2, gsz, 0, gr + 2 * i);
    maxm = h->m[i] > maxm ? h->m[i] : maxm;
  }
  if (!ok) return OUTSIDE;
  float *tmp = (float *)malloc(sizeof(float) * h->B * h->d * (1 + maxm));
  if (!tmp) return NO_MEMORY;
  mmckd_fusion_backward(h, df, f, ws, dpooled, (const float *const *)wf, gr, tmp);
  free(tmp);
  return OK;
}

static int regression_forward(const call_args *c) {
  const heads_dims *h = &c->h;
  float *y, *f, *wt[2 * MAX_HEAD_MODELS];
  const int64_t ysize[1] = {h->n * h->B}, fsize[1] = {h->n * h->B * h->d}, sizes[2] = {h->d, 1};
  if (!(c->count == 2 + 2 * h->n && resolve(c, 0, 1, ysize, 0, &y) && resolve(c, 1, 1, fsize, 0, &f) && resolve(c, 2, 2 * h->n, sizes, 2, wt))) return OUTSIDE;
  mmckd_regression_forward(h, f, (const float *const *)wt, y);
  return OK;
}

static int regression_backward(const call_args *c) {
  const heads_dims *h = &c->h;
  float *dy, *f, *df, *wr[MAX_HEAD_MODELS], *gr[2 * MAX_HEAD_MODELS];
  const int64_t ysize[1] = {h->n * h->B}, fsize[1] = {h->n * h->B * h->d}, wsize[1] = {h->d}, gsizes[2] = {h->d, 1};
  if (!(c->count == 3 + 3 * h->n && resolve(c, 0, 1, ysize, 0, &dy) && resolve(c, 1, 1, fsize, 0, &f) && resolve(c, 2, h->n, wsize, 1, wr) &&
        resolve(c, 2 + h->n, 1, fsize, 0, &df) && resolve(c, 3 + h->n, 2 * h->n, gsizes, 2, gr))) {
    return OUTSIDE;
  }
  mmckd_regression_backward(h, dy, f, (const float *const *)wr, df, gr);
  return OK;
}

static int projection_forward(const call_args *c) {
  const heads_dims *h = &c->h;
  float *proj, *ws, *f, *wt[4 * MAX_HEAD_MODELS];
  const int64_t psize[1] = {h->n * h->B * h->p}, wsize[1] = {mmckd_projection_workspace(h)}, fsize[1] = {h->n * h->B * h->d};
  const int64_t sizes[4] = {h->d * h->d, h->d, h->d * h->p, h->p};
  if (!(c->count == 3 + 4 * h->n && resolve(c, 0, 1, psize, 0, &proj) && resolve(c, 1, 1, wsize, 0, &ws) && resolve(c, 2, 1, fsize, 0, &f) &&
        resolve(c, 3, 4 * h->n, sizes, 4, wt))) {
    return OUTSIDE;
  }
  mmckd_projection_forward(h, f, (const float *const *)wt, proj, ws);
  return OK;
}

static int projection_backward(const call_args *c) {
  const heads_dims *h = &c->h;
  float *dproj, *f, *ws, *df, *w[2 * MAX_HEAD_MODELS], *gr[4 * MAX_HEAD_MODELS];
  const int64_t psize[1] = {h->n * h->B * h->p}, wsize[1] = {mmckd_projection_workspace(h)}, fsize[1] = {h->n * h->B * h->d};
  const int64_t wsizes[2] = {h->d * h->d, h->d * h->p}, gsizes[4] = {h->d * h->d, h->d, h->d * h->p, h->p};
  if (!(c->count == 4 + 6 * h->n && resolve(c, 0, 1, psize, 0, &dproj) && resolve(c, 1, 1, fsize, 0, &f) && resolve(c, 2, 1, wsize, 0, &ws) &&
        resolve(c, 3, 2 * h->n, wsizes, 2, w) && resolve(c, 3 + 2 * h->n, 1, fsize, 0, &df) && resolve(c, 4 + 2 * h->n, 4 * h->n, gsizes, 4, gr))) {
    return OUTSIDE;
  }
  float *tmp = (float *)malloc(sizeof(float) * h->B * (h->p + h->d));
  if (!tmp) return NO_MEMORY;
  mmckd_projection_backward(h, dproj, f, ws, (const float *const *)w, df, gr, tmp);
  free(tmp);
  return OK;
}

/*
 * which: 0 fusionForward, 1 fusionBackward, 2 regressionForward, 3 regressionBackward,
 * 4 projectionForward, 5 projectionBackward. args: offsets [n_off], dims [7], spec [n_spec] (fusion only).
 */
EXPORT("mmckd_heads") int heads(int which, int n_off, int n_spec) {
  static call_args c; /* ~6 KB: off the (small) stack */
  int64_t dims[7], spec[MAX_HEAD_MODELS * (1 + 2 * MODALITY_COUNT)];
  const int with_spec = which == 0 || which == 1;
  if (which < 0 || which > 5 || n_off < 1 || n_off > MAX_OFFSETS || n_spec < 0 || n_spec > MAX_HEAD_MODELS * 7 || !ints(0, n_off, c.off) ||
      !ints(n_off, 7, dims) || (with_spec && !ints(n_off + 7, n_spec, spec)) ||
      !mmckd_heads_read_dims(dims, 7, with_spec ? spec : NULL, (uint32_t)n_spec, &c.h)) {
    return BAD_ARGS;
  }
  c.count = n_off;
  switch (which) {
    case 0: return fusion_forward(&c);
    case 1: return fusion_backward(&c);
    case 2: return regression_forward(&c);
    case 3: return regression_backward(&c);
    case 4: return projection_forward(&c);
    default: return projection_backward(&c);
  }
}
