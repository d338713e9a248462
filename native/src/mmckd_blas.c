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
#include "mmckd_products.h"
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
  mmckd_batch_matmul((const float *)(heap + a_off), (const float *)(heap + b_off), (float *)(heap + c_off), batch, m, n, k, ta, tb, a_stride, b_stride);
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
  mmckd_bias_activation((float *)(heap + c_off), bias_off >= 0 ? (const float *)(heap + bias_off) : NULL, rows, cols, (int)act);
  return NULL;
}

/* transpose(heap, xOff, yOff, shape[], perm[]) for 4-byte elements (mmckd_products.c). */
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
  for (uint32_t i = 0; i < rank; i++) {
    napi_value e;
    CHECK(napi_get_element(env, argv[3], i, &e));
    CHECK(napi_get_value_int64(env, e, &shape[i]));
    CHECK(napi_get_element(env, argv[4], i, &e));
    CHECK(napi_get_value_int64(env, e, &perm[i]));
  }
  if (!mmckd_transpose_valid((int)rank, shape, perm, &size)) {
    napi_throw_range_error(env, NULL, "mmckd_blas.transpose: bad shape or perm");
    return NULL;
  }
  if (x_off < 0 || y_off < 0 || x_off + 4 * size > (int64_t)heap_len || y_off + 4 * size > (int64_t)heap_len || (x_off | y_off) % 4) {
    napi_throw_range_error(env, NULL, "mmckd_blas.transpose: operand outside the heap or misaligned");
    return NULL;
  }
  if (size == 0) return NULL;
  const float *x = (const float *)(heap + x_off);
  float *y = (float *)(heap + y_off);
  mmckd_transpose(x, y, (int)rank, shape, perm);
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
