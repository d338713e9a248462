/*
 * N-API bindings of the fused fusion and heads (mmckd_heads.c): (heap, offsets, dims[, spec]), byte
 * offsets into the wasm heap, each checked to lie inside it before anything is read or written.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>

#include "mmckd_heads.h"
#include "mmckd_napi.h"

#define MAX_OFFSETS (6 + 12 * MAX_HEAD_MODELS)

/* Reads dims [n, B, d, p, k_text, k_audio, k_vision] and, when given, the spec (every slot used once). */
static int read_dims(napi_env env, napi_value dims_v, napi_value spec_v, heads_dims *h) {
  int64_t v[7], spec[MAX_HEAD_MODELS * (1 + 2 * MODALITY_COUNT)];
  uint32_t nd = 0, ns = 0;
  if (!mmckd_read_int64s(env, dims_v, v, 7, &nd)) return 0;
  if (spec_v && !mmckd_read_int64s(env, spec_v, spec, MAX_HEAD_MODELS * 7, &ns)) return 0;
  return mmckd_heads_read_dims(v, nd, spec_v ? spec : NULL, ns, h);
}


/* Parses (heap, offsets, dims[, spec]); returns the operand count or 0 after throwing. */
typedef struct {
  uint8_t *heap;
  size_t len;
  heads_dims h;
  int64_t off[MAX_OFFSETS];
  uint32_t count;
} call_args;

static int parse(napi_env env, napi_callback_info info, int with_spec, const char *name, call_args *c) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < (size_t)(3 + with_spec) ||
      !mmckd_get_heap(env, argv[0], &c->heap, &c->len) || !read_dims(env, argv[2], with_spec ? argv[3] : NULL, &c->h) ||
      !mmckd_read_int64s(env, argv[1], c->off, MAX_OFFSETS, &c->count)) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  return 1;
}

/* Resolves offsets [first, first + count) with the float counts in sizes (cycled per model when per_model). */
static int resolve(call_args *c, int64_t first, int64_t count, const int64_t *sizes, int64_t per_model, float **out) {
  if (first + count > c->count) return 0;
  for (int64_t q = 0; q < count; q++) {
    out[q] = mmckd_heap_floats(c->heap, c->len, c->off[first + q], sizes[per_model ? q % per_model : q]);
    if (!out[q]) return 0;
  }
  return 1;
}

static int modalities(call_args *c, int64_t first, float *out[MODALITY_COUNT]) {
  for (int m = 0; m < MODALITY_COUNT; m++) {
    out[m] = c->h.k[m] > 0 ? mmckd_heap_floats(c->heap, c->len, c->off[first + m], c->h.B * c->h.k[m] * c->h.d) : NULL;
    if (c->h.k[m] > 0 && !out[m]) return 0;
  }
  return 1;
}

static napi_value outside(napi_env env, const char *name) {
  napi_throw_range_error(env, NULL, name);
  return NULL;
}

/* fusionForward(heap, [f, ws, pooled x3, (Wf, bf) x n], dims, spec) */
static napi_value fusion_forward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 1, "mmckd_blas.fusionForward: expected (heap, offsets, dims[7], spec)", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *f, *ws, *pooled[MODALITY_COUNT], *wt[2 * MAX_HEAD_MODELS];
  const int64_t fsize[1] = {h->n * h->B * h->d}, wsize[1] = {mmckd_fusion_workspace(h)};
  int ok = c.count == 5 + 2 * h->n && resolve(&c, 0, 1, fsize, 0, &f) && resolve(&c, 1, 1, wsize, 0, &ws) && modalities(&c, 2, pooled);
  for (int64_t i = 0; i < h->n && ok; i++) {
    const int64_t sizes[2] = {h->m[i] * h->d * h->d, h->d};
    ok = resolve(&c, 5 + 2 * i, 2, sizes, 0, wt + 2 * i);
  }
  if (!ok) return outside(env, "mmckd_blas.fusionForward: operand outside the heap or misaligned");
  mmckd_fusion_forward(h, pooled, (const float *const *)wt, f, ws);
  return NULL;
}

/* fusionBackward(heap, [df, f, ws, dpooled x3, Wf x n, (dWf, dbf) x n], dims, spec) */
static napi_value fusion_backward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 1, "mmckd_blas.fusionBackward: expected (heap, offsets, dims[7], spec)", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *df, *f, *ws, *dpooled[MODALITY_COUNT], *wf[MAX_HEAD_MODELS], *gr[2 * MAX_HEAD_MODELS];
  const int64_t fsize[1] = {h->n * h->B * h->d}, wsize[1] = {mmckd_fusion_workspace(h)};
  int ok = c.count == 6 + 3 * h->n && resolve(&c, 0, 1, fsize, 0, &df) && resolve(&c, 1, 1, fsize, 0, &f) &&
           resolve(&c, 2, 1, wsize, 0, &ws) && modalities(&c, 3, dpooled);
  int64_t maxm = 1;
  for (int64_t i = 0; i < h->n && ok; i++) {
    const int64_t wsz[1] = {h->m[i] * h->d * h->d}, gsz[2] = {h->m[i] * h->d * h->d, h->d};
    ok = resolve(&c, 6 + i, 1, wsz, 0, wf + i) && resolve(&c, 6 + h->n + 2 * i, 2, gsz, 0, gr + 2 * i);
    maxm = h->m[i] > maxm ? h->m[i] : maxm;
  }
  if (!ok) return outside(env, "mmckd_blas.fusionBackward: operand outside the heap or misaligned");
  float *tmp = (float *)malloc(sizeof(float) * h->B * h->d * (1 + maxm));
  if (!tmp) {
    napi_throw_error(env, NULL, "mmckd_blas.fusionBackward: out of memory");
    return NULL;
  }
  mmckd_fusion_backward(h, df, f, ws, dpooled, (const float *const *)wf, gr, tmp);
  free(tmp);
  return NULL;
}

/* regressionForward(heap, [y, f, (wr, br) x n], dims) */
static napi_value regression_forward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 0, "mmckd_blas.regressionForward: expected (heap, offsets, dims[7])", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *y, *f, *wt[2 * MAX_HEAD_MODELS];
  const int64_t ysize[1] = {h->n * h->B}, fsize[1] = {h->n * h->B * h->d}, sizes[2] = {h->d, 1};
  if (!(c.count == 2 + 2 * h->n && resolve(&c, 0, 1, ysize, 0, &y) && resolve(&c, 1, 1, fsize, 0, &f) && resolve(&c, 2, 2 * h->n, sizes, 2, wt))) {
    return outside(env, "mmckd_blas.regressionForward: operand outside the heap or misaligned");
  }
  mmckd_regression_forward(h, f, (const float *const *)wt, y);
  return NULL;
}

/* regressionBackward(heap, [dy, f, wr x n, df, (dwr, dbr) x n], dims) */
static napi_value regression_backward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 0, "mmckd_blas.regressionBackward: expected (heap, offsets, dims[7])", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *dy, *f, *df, *wr[MAX_HEAD_MODELS], *gr[2 * MAX_HEAD_MODELS];
  const int64_t ysize[1] = {h->n * h->B}, fsize[1] = {h->n * h->B * h->d}, wsize[1] = {h->d}, gsizes[2] = {h->d, 1};
  if (!(c.count == 3 + 3 * h->n && resolve(&c, 0, 1, ysize, 0, &dy) && resolve(&c, 1, 1, fsize, 0, &f) && resolve(&c, 2, h->n, wsize, 1, wr) &&
        resolve(&c, 2 + h->n, 1, fsize, 0, &df) && resolve(&c, 3 + h->n, 2 * h->n, gsizes, 2, gr))) {
    return outside(env, "mmckd_blas.regressionBackward: operand outside the heap or misaligned");
  }
  mmckd_regression_backward(h, dy, f, (const float *const *)wr, df, gr);
  return NULL;
}

/* projectionForward(heap, [proj, ws, f, (Wh, bh, Wo, bo) x n], dims) */
static napi_value projection_forward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 0, "mmckd_blas.projectionForward: expected (heap, offsets, dims[7])", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *proj, *ws, *f, *wt[4 * MAX_HEAD_MODELS];
  const int64_t psize[1] = {h->n * h->B * h->p}, wsize[1] = {mmckd_projection_workspace(h)}, fsize[1] = {h->n * h->B * h->d};
  const int64_t sizes[4] = {h->d * h->d, h->d, h->d * h->p, h->p};
  if (!(c.count == 3 + 4 * h->n && resolve(&c, 0, 1, psize, 0, &proj) && resolve(&c, 1, 1, wsize, 0, &ws) && resolve(&c, 2, 1, fsize, 0, &f) &&
        resolve(&c, 3, 4 * h->n, sizes, 4, wt))) {
    return outside(env, "mmckd_blas.projectionForward: operand outside the heap or misaligned");
  }
  mmckd_projection_forward(h, f, (const float *const *)wt, proj, ws);
  return NULL;
}

/* projectionBackward(heap, [dproj, f, ws, (Wh, Wo) x n, df, (dWh, dbh, dWo, dbo) x n], dims) */
static napi_value projection_backward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 0, "mmckd_blas.projectionBackward: expected (heap, offsets, dims[7])", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *dproj, *f, *ws, *df, *w[2 * MAX_HEAD_MODELS], *gr[4 * MAX_HEAD_MODELS];
  const int64_t psize[1] = {h->n * h->B * h->p}, wsize[1] = {mmckd_projection_workspace(h)}, fsize[1] = {h->n * h->B * h->d};
  const int64_t wsizes[2] = {h->d * h->d, h->d * h->p}, gsizes[4] = {h->d * h->d, h->d, h->d * h->p, h->p};
  if (!(c.count == 4 + 6 * h->n && resolve(&c, 0, 1, psize, 0, &dproj) && resolve(&c, 1, 1, fsize, 0, &f) && resolve(&c, 2, 1, wsize, 0, &ws) &&
        resolve(&c, 3, 2 * h->n, wsizes, 2, w) && resolve(&c, 3 + 2 * h->n, 1, fsize, 0, &df) && resolve(&c, 4 + 2 * h->n, 4 * h->n, gsizes, 4, gr))) {
    return outside(env, "mmckd_blas.projectionBackward: operand outside the heap or misaligned");
  }
  float *tmp = (float *)malloc(sizeof(float) * h->B * (h->p + h->d));
  if (!tmp) {
    napi_throw_error(env, NULL, "mmckd_blas.projectionBackward: out of memory");
    return NULL;
  }
  mmckd_projection_backward(h, dproj, f, ws, (const float *const *)w, df, gr, tmp);
  free(tmp);
  return NULL;
}

napi_status mmckd_heads_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"fusionForward", NULL, fusion_forward_napi, NULL, NULL, NULL, napi_default, NULL},
      {"fusionBackward", NULL, fusion_backward_napi, NULL, NULL, NULL, napi_default, NULL},
      {"regressionForward", NULL, regression_forward_napi, NULL, NULL, NULL, napi_default, NULL},
      {"regressionBackward", NULL, regression_backward_napi, NULL, NULL, NULL, napi_default, NULL},
      {"projectionForward", NULL, projection_forward_napi, NULL, NULL, NULL, napi_default, NULL},
      {"projectionBackward", NULL, projection_backward_napi, NULL, NULL, NULL, napi_default, NULL},
  };
  return napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
