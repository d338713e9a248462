/*
 * N-API bindings of the fused encoder (mmckd_encoder.c). Like the products of mmckd_blas.c they
 * work in place on the wasm backend's heap: JavaScript passes the heap and byte offsets, and every
 * operand is checked to lie inside it before anything is read or written.
 *
 *   encoderForward(heap, offsets, dims, seeds, keep)
 *     offsets: x, mask, pooled, workspace, then w_j, b_j, sw_j, sb_j (k each);
 *     dims: B, T, D, k, d, tanh (1/0), dropout (1/0); seeds: k uint32; keep = 1 - dropout rate.
 *   encoderBackward(heap, offsets, dims)
 *     offsets: x, mask, workspace, dpooled, sw_j (k), then dw_j, db_j, dsw_j, dsb_j (k each).
 *   aleaUniform(seed, n) -> Float32Array, the numbers tf.randomUniform draws for that seed.
 */
#include <stdlib.h>

#include "mmckd_encoder.h"
#include "mmckd_napi.h"

#define MAX_MODELS 64

static int read_dims(napi_env env, napi_value array, mmckd_encoder_dims *dm) {
  int64_t v[7];
  uint32_t n = 0;
  if (!mmckd_read_int64s(env, array, v, 7, &n) || n != 7) return 0;
  dm->B = v[0], dm->T = v[1], dm->D = v[2], dm->k = v[3], dm->d = v[4];
  dm->tanh = v[5] != 0, dm->dropout = v[6] != 0;
  return dm->B >= 0 && dm->T >= 0 && dm->D >= 0 && dm->k >= 1 && dm->k <= MAX_MODELS && dm->d >= 1 && dm->T <= 1 << 20;
}

static napi_value encoder_forward(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *heap = NULL;
  size_t len = 0;
  mmckd_encoder_dims dm;
  int64_t off[4 + 4 * MAX_MODELS], seeds64[MAX_MODELS];
  uint32_t n_off = 0, n_seeds = 0;
  double keep = 1;
  if (argc < 5 || !mmckd_get_heap(env, argv[0], &heap, &len) || !read_dims(env, argv[2], &dm) ||
      !mmckd_read_int64s(env, argv[1], off, 4 + 4 * MAX_MODELS, &n_off) || n_off != 4 + 4 * dm.k ||
      !mmckd_read_int64s(env, argv[3], seeds64, MAX_MODELS, &n_seeds) || n_seeds != dm.k || napi_get_value_double(env, argv[4], &keep) != napi_ok ||
      !(keep > 0 && keep <= 1)) {
    napi_throw_type_error(env, NULL, "mmckd_blas.encoderForward: expected (heap, offsets[4 + 4k], dims[7], seeds[k], keep in (0, 1])");
    return NULL;
  }
  dm.keep = (float)keep;
  const int64_t k = dm.k, BT = dm.B * dm.T;
  const float *x = mmckd_heap_floats(heap, len, off[0], BT * dm.D);
  const float *mask = mmckd_heap_floats(heap, len, off[1], BT);
  float *pooled = mmckd_heap_floats(heap, len, off[2], dm.B * k * dm.d);
  const float *w[MAX_MODELS], *b[MAX_MODELS], *sw[MAX_MODELS], *sb[MAX_MODELS];
  uint32_t seeds[MAX_MODELS];
  int ok = x && mask && pooled;
  for (int64_t j = 0; j < k && ok; j++) {
    w[j] = mmckd_heap_floats(heap, len, off[4 + j], dm.D * dm.d);
    b[j] = mmckd_heap_floats(heap, len, off[4 + k + j], dm.d);
    sw[j] = mmckd_heap_floats(heap, len, off[4 + 2 * k + j], dm.d);
    sb[j] = mmckd_heap_floats(heap, len, off[4 + 3 * k + j], 1);
    seeds[j] = (uint32_t)seeds64[j];
    ok = w[j] && b[j] && sw[j] && sb[j] && seeds64[j] >= 0 && seeds64[j] <= 0xffffffffLL;
  }
  float *ws = ok ? mmckd_heap_floats(heap, len, off[3], mmckd_encoder_workspace_size(&dm, mmckd_encoder_valid_rows(mask, BT))) : NULL;
  if (!ws) {
    napi_throw_range_error(env, NULL, "mmckd_blas.encoderForward: operand outside the heap, misaligned, or a seed out of range");
    return NULL;
  }
  mmckd_encoder_params pm = {w, b, sw, sb};
  if (mmckd_encoder_forward(&dm, &pm, x, mask, seeds, pooled, ws) != 0) {
    napi_throw_error(env, NULL, "mmckd_blas.encoderForward: out of memory");
  }
  return NULL;
}

static napi_value encoder_backward(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint8_t *heap = NULL;
  size_t len = 0;
  mmckd_encoder_dims dm;
  int64_t off[4 + 5 * MAX_MODELS];
  uint32_t n_off = 0;
  if (argc < 3 || !mmckd_get_heap(env, argv[0], &heap, &len) || !read_dims(env, argv[2], &dm) ||
      !mmckd_read_int64s(env, argv[1], off, 4 + 5 * MAX_MODELS, &n_off) || n_off != 4 + 5 * dm.k) {
    napi_throw_type_error(env, NULL, "mmckd_blas.encoderBackward: expected (heap, offsets[4 + 5k], dims[7])");
    return NULL;
  }
  dm.keep = 1;
  const int64_t k = dm.k, BT = dm.B * dm.T;
  const float *x = mmckd_heap_floats(heap, len, off[0], BT * dm.D);
  const float *mask = mmckd_heap_floats(heap, len, off[1], BT);
  const float *ws = mask ? mmckd_heap_floats(heap, len, off[2], mmckd_encoder_workspace_size(&dm, mmckd_encoder_valid_rows(mask, BT))) : NULL;
  const float *dpooled = mmckd_heap_floats(heap, len, off[3], dm.B * k * dm.d);
  const float *sw[MAX_MODELS];
  float *dw[MAX_MODELS], *db[MAX_MODELS], *dsw[MAX_MODELS], *dsb[MAX_MODELS];
  int ok = x && mask && ws && dpooled;
  for (int64_t j = 0; j < k && ok; j++) {
    sw[j] = mmckd_heap_floats(heap, len, off[4 + j], dm.d);
    dw[j] = mmckd_heap_floats(heap, len, off[4 + k + j], dm.D * dm.d);
    db[j] = mmckd_heap_floats(heap, len, off[4 + 2 * k + j], dm.d);
    dsw[j] = mmckd_heap_floats(heap, len, off[4 + 3 * k + j], dm.d);
    dsb[j] = mmckd_heap_floats(heap, len, off[4 + 4 * k + j], 1);
    ok = sw[j] && dw[j] && db[j] && dsw[j] && dsb[j];
  }
  if (!ok) {
    napi_throw_range_error(env, NULL, "mmckd_blas.encoderBackward: operand outside the heap or misaligned");
    return NULL;
  }
  mmckd_encoder_params pm = {NULL, NULL, sw, NULL};
  mmckd_encoder_grads gr = {dw, db, dsw, dsb};
  if (mmckd_encoder_backward(&dm, &pm, &gr, x, mask, ws, dpooled) != 0) {
    napi_throw_error(env, NULL, "mmckd_blas.encoderBackward: out of memory");
  }
  return NULL;
}

static napi_value alea_uniform(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t seed = -1, n = -1;
  if (argc < 2 || napi_get_value_int64(env, argv[0], &seed) != napi_ok || napi_get_value_int64(env, argv[1], &n) != napi_ok || seed < 0 ||
      seed > 0xffffffffLL || n < 0 || n > (1LL << 28)) {
    napi_throw_type_error(env, NULL, "mmckd_blas.aleaUniform: expected (seed: uint32, n: count)");
    return NULL;
  }
  void *data = NULL;
  napi_value buffer, array;
  CHECK(napi_create_arraybuffer(env, (size_t)n * sizeof(float), &data, &buffer));
  mmckd_alea_uniform((uint32_t)seed, (float *)data, n);
  CHECK(napi_create_typedarray(env, napi_float32_array, (size_t)n, buffer, 0, &array));
  return array;
}

napi_status mmckd_encoder_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"encoderForward", NULL, encoder_forward, NULL, NULL, NULL, napi_default, NULL},
      {"encoderBackward", NULL, encoder_backward, NULL, NULL, NULL, napi_default, NULL},
      {"aleaUniform", NULL, alea_uniform, NULL, NULL, NULL, napi_default, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
