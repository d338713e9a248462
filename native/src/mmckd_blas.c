/*
 * mmckd_blas: an optional N-API addon with the matrix products of the MM-CKD kit.
 *
 * It works in place on the memory of TensorFlow.js's wasm backend: JavaScript passes the wasm
 * heap (an ArrayBuffer) and byte offsets of the operands, and the addon writes the product at the
 * output offset; every product is one cblas_sgemm per batch entry (OpenBLAS on Linux, Accelerate on
 * macOS: unverified) (measured here, OpenBLAS beats
 * hand-written vectorised loops even on the [50, 8] x [8, 50] attention products: 52 vs 7 GFLOP/s).
 *
 * Exports:
 *   batchMatMul(heap, aOff, bOff, cOff, batch, m, n, k, transA, transB, aStride, bStride)
 *     C[i] = op(A[i]) op(B[i]) for i < batch, row-major float32; op = transpose when asked;
 *     aStride / bStride are the element strides between batch entries (0 broadcasts).
 *   biasActivation(heap, cOff, biasOff, rows, cols, activation)  adds bias [cols] (if biasOff >= 0)
 *     and applies activation 0 linear / 1 relu, in place.
 *   transpose(heap, xOff, yOff, shape, perm)  any permutation of 4-byte elements (float32, int32).
 *   setThreads(n), info() -> { blas, threads }
 *   encoderForward, encoderBackward, aleaUniform: the fused attention-pooling encoder
 *     (mmckd_encoder.c, bindings in mmckd_encoder_napi.c).
 *   fusion/regression/projection Forward and Backward: the concat fusion and heads of several
 *     models, each head one call over all of them (mmckd_heads.c).
 */
#include <node_api.h>
#include "mmckd_cblas.h"
#include "mmckd_encoder.h"
#include "mmckd_heads.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mmckd_napi.h"

#ifdef MMCKD_ACCELERATE
/* Accelerate chooses its own threads (UNVERIFIED: no macOS machine here). */
static void openblas_set_num_threads(int n) { (void)n; }
static int openblas_get_num_threads(void) { return 1; }
static char *openblas_get_config(void) { return (char *)"Apple Accelerate (macOS, unverified)"; }
#else
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
#endif

static void gemm(const float *a, const float *b, float *c, int m, int n, int k, int ta, int tb) {
  if (k == 0) {
    memset(c, 0, sizeof(float) * (int64_t)m * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}

static napi_value batch_mat_mul(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 12) {
    napi_throw_type_error(env, NULL, "mmckd_blas.batchMatMul: expected 12 arguments");
    return NULL;
  }
  uint8_t *heap;
  size_t heap_len;
  if (!mmckd_get_heap(env, argv[0], &heap, &heap_len)) {
    napi_throw_type_error(env, NULL, "mmckd_blas.batchMatMul: expected an ArrayBuffer heap");
    return NULL;
  }
  int64_t v[11];
  for (int i = 0; i < 11; i++) CHECK(napi_get_value_int64(env, argv[i + 1], &v[i]));
  const int64_t a_off = v[0], b_off = v[1], c_off = v[2], batch = v[3], m = v[4], n = v[5], k = v[6];
  const int ta = (int)v[7], tb = (int)v[8];
  const int64_t a_stride = v[9], b_stride = v[10];
  /* bounds: every operand must lie inside the heap */
  const int64_t a_end = a_off + 4 * ((batch - 1) * a_stride + m * k);
  const int64_t b_end = b_off + 4 * ((batch - 1) * b_stride + k * n);
  const int64_t c_end = c_off + 4 * (batch * m * n);
  if (batch < 1 || m < 0 || n < 0 || k < 0 || a_off < 0 || b_off < 0 || c_off < 0 || a_end > (int64_t)heap_len ||
      b_end > (int64_t)heap_len || c_end > (int64_t)heap_len || (a_off | b_off | c_off) % 4 != 0) {
    napi_throw_range_error(env, NULL, "mmckd_blas.batchMatMul: operand outside the heap or misaligned");
    return NULL;
  }
  const float *a = (const float *)(heap + a_off);
  const float *b = (const float *)(heap + b_off);
  float *c = (float *)(heap + c_off);
  for (int64_t i = 0; i < batch; i++) {
    gemm(a + i * a_stride, b + i * b_stride, c + i * m * n, (int)m, (int)n, (int)k, ta, tb);
  }
  return NULL;
}

static napi_value bias_activation(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "mmckd_blas.biasActivation: expected 6 arguments");
    return NULL;
  }
  uint8_t *heap;
  size_t heap_len;
  if (!mmckd_get_heap(env, argv[0], &heap, &heap_len)) {
    napi_throw_type_error(env, NULL, "mmckd_blas.biasActivation: expected an ArrayBuffer heap");
    return NULL;
  }
  int64_t v[5];
  for (int i = 0; i < 5; i++) CHECK(napi_get_value_int64(env, argv[i + 1], &v[i]));
  const int64_t c_off = v[0], bias_off = v[1], rows = v[2], cols = v[3], act = v[4];
  if (c_off < 0 || c_off + 4 * rows * cols > (int64_t)heap_len || (bias_off >= 0 && bias_off + 4 * cols > (int64_t)heap_len) ||
      c_off % 4 != 0 || (bias_off >= 0 && bias_off % 4 != 0)) {
    napi_throw_range_error(env, NULL, "mmckd_blas.biasActivation: operand outside the heap or misaligned");
    return NULL;
  }
  float *c = (float *)(heap + c_off);
  const float *bias = bias_off >= 0 ? (const float *)(heap + bias_off) : NULL;
  for (int64_t i = 0; i < rows; i++) {
    float *ci = c + i * cols;
    if (bias) {
      for (int64_t j = 0; j < cols; j++) ci[j] += bias[j];
    }
    if (act == 1) {
      for (int64_t j = 0; j < cols; j++) ci[j] = ci[j] > 0.f ? ci[j] : 0.f;
    }
  }
  return NULL;
}

/* Tiled transpose of `batch` row-major [rows, cols] float32 matrices into [cols, rows]. */
static void transpose2d(const float *x, float *y, int64_t batch, int64_t rows, int64_t cols) {
  const int64_t T = 32;
  for (int64_t b = 0; b < batch; b++) {
    const float *xb = x + b * rows * cols;
    float *yb = y + b * rows * cols;
    for (int64_t i0 = 0; i0 < rows; i0 += T)
      for (int64_t j0 = 0; j0 < cols; j0 += T) {
        const int64_t i1 = i0 + T < rows ? i0 + T : rows, j1 = j0 + T < cols ? j0 + T : cols;
        for (int64_t i = i0; i < i1; i++)
          for (int64_t j = j0; j < j1; j++) yb[j * rows + i] = xb[i * cols + j];
      }
  }
}

/*
 * transpose(heap, xOff, yOff, shape[], perm[]) for 4-byte elements: collapses axes that stay
 * adjacent, then uses a tiled 2-D transpose ([.., r, c] -> [.., c, r]), block copies (last axis kept),
 * or a generic odometer.
 */
static napi_value transpose(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *heap;
  size_t heap_len;
  if (argc < 5 || !mmckd_get_heap(env, argv[0], &heap, &heap_len)) {
    napi_throw_type_error(env, NULL, "mmckd_blas.transpose: expected (heap, xOffset, yOffset, shape, perm)");
    return NULL;
  }
  int64_t x_off, y_off;
  CHECK(napi_get_value_int64(env, argv[1], &x_off));
  CHECK(napi_get_value_int64(env, argv[2], &y_off));
  uint32_t rank, prank;
  CHECK(napi_get_array_length(env, argv[3], &rank));
  CHECK(napi_get_array_length(env, argv[4], &prank));
  if (rank != prank || rank == 0 || rank > 8) {
    napi_throw_range_error(env, NULL, "mmckd_blas.transpose: shape and perm must have the same rank, 1 to 8");
    return NULL;
  }
  int64_t shape[8], perm[8], size = 1;
  int seen[8] = {0};
  for (uint32_t i = 0; i < rank; i++) {
    napi_value e;
    CHECK(napi_get_element(env, argv[3], i, &e));
    CHECK(napi_get_value_int64(env, e, &shape[i]));
    CHECK(napi_get_element(env, argv[4], i, &e));
    CHECK(napi_get_value_int64(env, e, &perm[i]));
    if (shape[i] < 0 || perm[i] < 0 || perm[i] >= rank || seen[perm[i]]++) {
      napi_throw_range_error(env, NULL, "mmckd_blas.transpose: bad shape or perm");
      return NULL;
    }
    size *= shape[i];
  }
  if (x_off < 0 || y_off < 0 || x_off + 4 * size > (int64_t)heap_len || y_off + 4 * size > (int64_t)heap_len || (x_off | y_off) % 4) {
    napi_throw_range_error(env, NULL, "mmckd_blas.transpose: operand outside the heap or misaligned");
    return NULL;
  }
  if (size == 0) return NULL;
  const float *x = (const float *)(heap + x_off);
  float *y = (float *)(heap + y_off);
  /* collapse: drop size-1 axes (renumbering the rest), then merge input axes that stay adjacent */
  int64_t cs[8], cp[8];
  int n = 0;
  {
    int64_t renum[8], rshape[8], k = 0, r = 0;
    for (uint32_t a = 0; a < rank; a++) renum[a] = shape[a] == 1 ? -1 : r++;
    for (uint32_t a = 0; a < rank; a++)
      if (shape[a] != 1) rshape[renum[a]] = shape[a];
    int64_t keep[8]; /* renumbered input axes in output order */
    for (uint32_t i = 0; i < rank; i++)
      if (renum[perm[i]] >= 0) keep[k++] = renum[perm[i]];
    int64_t first[8], last[8];
    int g = 0;
    for (int64_t i = 0; i < k; i++) {
      if (g > 0 && keep[i] == last[g - 1] + 1) last[g - 1] = keep[i];
      else { first[g] = keep[i]; last[g] = keep[i]; g++; }
    }
    /* groups in input order give the collapsed input shape; output order gives the perm */
    int order[8];
    for (int i = 0; i < g; i++) order[i] = i;
    for (int i = 0; i < g; i++)
      for (int j = i + 1; j < g; j++)
        if (first[order[j]] < first[order[i]]) { int t = order[i]; order[i] = order[j]; order[j] = t; }
    for (int i = 0; i < g; i++) {
      int64_t sz = 1;
      for (int64_t a = first[order[i]]; a <= last[order[i]]; a++) sz *= rshape[a];
      cs[i] = sz;
      cp[order[i]] = i;
    }
    n = g;
  }
  if (n <= 1) { memcpy(y, x, 4 * size); return NULL; }
  if (n == 2) { transpose2d(x, y, 1, cs[0], cs[1]); return NULL; }
  if (n == 3 && cp[0] == 0 && cp[1] == 2 && cp[2] == 1) { transpose2d(x, y, cs[0], cs[1], cs[2]); return NULL; }
  int64_t in_stride[8];
  in_stride[n - 1] = 1;
  for (int i = n - 2; i >= 0; i--) in_stride[i] = in_stride[i + 1] * cs[i + 1];
  int64_t out_shape[8], step[8], idx[8] = {0};
  for (int i = 0; i < n; i++) { out_shape[i] = cs[cp[i]]; step[i] = in_stride[cp[i]]; }
  const int64_t inner = out_shape[n - 1], inner_step = step[n - 1];
  const int64_t outer = size / inner;
  int64_t src = 0;
  for (int64_t o = 0; o < outer; o++) {
    float *dst = y + o * inner;
    if (inner_step == 1) memcpy(dst, x + src, 4 * inner);
    else for (int64_t j = 0; j < inner; j++) dst[j] = x[src + j * inner_step];
    for (int d = n - 2; d >= 0; d--) { /* odometer over the outer output axes */
      src += step[d];
      if (++idx[d] < out_shape[d]) break;
      src -= step[d] * out_shape[d];
      idx[d] = 0;
    }
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 1;
  if (argc >= 1) CHECK(napi_get_value_int32(env, argv[0], &n));
  openblas_set_num_threads(n < 1 ? 1 : n);
  return NULL;
}

static napi_value get_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, s, t;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &s));
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &t));
  CHECK(napi_set_named_property(env, out, "blas", s));
  CHECK(napi_set_named_property(env, out, "threads", t));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"batchMatMul", NULL, batch_mat_mul, NULL, NULL, NULL, napi_default, NULL},
      {"biasActivation", NULL, bias_activation, NULL, NULL, NULL, napi_default, NULL},
      {"transpose", NULL, transpose, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  if (mmckd_encoder_register(env, exports) != napi_ok || mmckd_heads_register(env, exports) != napi_ok) return NULL;
  openblas_set_num_threads(1); /* like the wasm backend in Node: one thread unless asked */
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
