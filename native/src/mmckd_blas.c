/*
 * mmckd_blas: an optional N-API addon with the matrix products of the MM-CKD kit.
 *
 * It works in place on the memory of TensorFlow.js's wasm backend: JavaScript passes the wasm
 * heap (an ArrayBuffer) and byte offsets of the operands, and the addon writes the product at the
 * output offset; every product is one cblas_sgemm per batch entry (measured here, OpenBLAS beats
 * hand-written vectorised loops even on the [50, 8] x [8, 50] attention products: 52 vs 7 GFLOP/s).
 *
 * Exports:
 *   batchMatMul(heap, aOff, bOff, cOff, batch, m, n, k, transA, transB, aStride, bStride)
 *     C[i] = op(A[i]) op(B[i]) for i < batch, row-major float32; op = transpose when asked;
 *     aStride / bStride are the element strides between batch entries (0 broadcasts).
 *   biasActivation(heap, cOff, biasOff, rows, cols, activation)  adds bias [cols] (if biasOff >= 0)
 *     and applies activation 0 linear / 1 relu, in place.
 *   setThreads(n), info() -> { blas, threads }
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);

static void gemm(const float *a, const float *b, float *c, int m, int n, int k, int ta, int tb) {
  if (k == 0) {
    memset(c, 0, sizeof(float) * (int64_t)m * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error(env, NULL, "mmckd_blas: N-API call failed: " #call); \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

static int get_heap(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  void *p = NULL;
  if (napi_get_arraybuffer_info(env, v, &p, len) != napi_ok) return 0;
  *data = (uint8_t *)p;
  return 1;
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
  if (!get_heap(env, argv[0], &heap, &heap_len)) {
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
  if (!get_heap(env, argv[0], &heap, &heap_len)) {
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
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  openblas_set_num_threads(1); /* like the wasm backend in Node: one thread unless asked */
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
