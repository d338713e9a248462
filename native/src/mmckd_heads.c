/*
 * The concat fusion and the two heads of n models, each as one forward and one backward call over
 * all models (lib/models/fused-heads.ts). Per model i, from its pooled h_m [B, d] (slot j of the
 * fused encoder's [B, k, d] output of modality m, for each of its M modalities, in MMSA order):
 *
 *   fusion:      f    = relu([h_m1, h_m2, ...] Wf + bf)         [B, d]
 *   regression:  y    = f wr + br                               [B]
 *   projection:  proj = l2normalize(relu(f Wh + bh) Wo + bo)    [B, p], x / sqrt(sum x^2 + 1e-12)
 *
 * f, y and proj of all models are stacked: rows i*B .. i*B + B - 1 belong to model i. Three ops,
 * not one, so that a loss that reads no projection leaves the projection weights without a
 * gradient, as the per-model formulation does (the optimizer and its saved state see the same
 * variables either way).
 *
 * Every function takes (heap, offsets, dims[, spec]): byte offsets into the wasm heap, each
 * checked to lie inside it; dims = [n, B, d, p, k_text, k_audio, k_vision] (k = models per
 * modality, 0 where none); spec (fusion only) = per model M, then M pairs (modality 0-2, slot).
 */
#include <cblas.h>
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmckd_heads.h"
#include "mmckd_napi.h"

#define MAX_HEAD_MODELS 64
#define MODALITY_COUNT 3

typedef struct {
  int64_t n, B, d, p;
  int64_t k[MODALITY_COUNT];
  int64_t m[MAX_HEAD_MODELS];                    /* modalities per model */
  int64_t mod[MAX_HEAD_MODELS][MODALITY_COUNT];  /* modality of each slot */
  int64_t slot[MAX_HEAD_MODELS][MODALITY_COUNT]; /* its index in that modality's [B, k, d] */
} heads_dims;

static int64_t fusion_workspace(const heads_dims *h) {
  int64_t s = 0;
  for (int64_t i = 0; i < h->n; i++) s += h->B * h->m[i] * h->d;
  return s;
}

static int64_t projection_workspace(const heads_dims *h) { return h->n * h->B * (h->d + h->p + 1); }

/* C [m, n] = A [m, k] B [k, n], row-major; ta/tb: A/B stored transposed. */
static void product(const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k, int ta, int tb) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    memset(c, 0, sizeof(float) * m * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a,
              (int)(ta ? m : k), b, (int)(tb ? k : n), 0.0f, c, (int)n);
}

/* Adds bias [cols] to x [rows, cols], then ReLU when asked. */
static void bias_relu(float *x, const float *bias, int64_t rows, int64_t cols, int relu) {
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++) {
      const float v = x[r * cols + c] + bias[c];
      x[r * cols + c] = relu && !(v > 0.f) ? 0.f : v;
    }
}

/* Column sums of x [rows, cols] into out [cols]. */
static void column_sums(const float *x, int64_t rows, int64_t cols, float *out) {
  memset(out, 0, sizeof(float) * cols);
  for (int64_t r = 0; r < rows; r++)
    for (int64_t c = 0; c < cols; c++) out[c] += x[r * cols + c];
}

/* Fusion: f_i = relu(u_i Wf_i + bf_i), u_i = [h_m1, h_m2, ...]; workspace u_i. wt: Wf, bf per model. */
static void fusion_forward(const heads_dims *h, float *const pooled[MODALITY_COUNT], const float *const *wt, float *f, float *ws) {
  const int64_t B = h->B, d = h->d;
  for (int64_t i = 0; i < h->n; i++) {
    const int64_t M = h->m[i];
    float *u = ws, *fi = f + i * B * d;
    ws += B * M * d;
    for (int64_t b = 0; b < B; b++)
      for (int64_t s = 0; s < M; s++) {
        const int64_t mo = h->mod[i][s];
        memcpy(u + (b * M + s) * d, pooled[mo] + (b * h->k[mo] + h->slot[i][s]) * d, sizeof(float) * d);
      }
    product(u, wt[2 * i], fi, B, d, M * d, 0, 0);
    bias_relu(fi, wt[2 * i + 1], B, d, 1);
  }
}

/* Fusion backward from df [n B, d]: dWf, dbf per model (gr) and the pooled features' gradients. tmp: B (d + M d). */
static void fusion_backward(const heads_dims *h, const float *df_in, const float *f, const float *ws, float *const dpooled[MODALITY_COUNT],
                            const float *const *wf, float *const *gr, float *tmp) {
  const int64_t B = h->B, d = h->d;
  for (int64_t i = 0; i < h->n; i++) {
    const int64_t M = h->m[i];
    const float *u = ws, *fi = f + i * B * d, *dfi = df_in + i * B * d;
    ws += B * M * d;
    float *df = tmp, *du = tmp + B * d;
    for (int64_t c = 0; c < B * d; c++) df[c] = fi[c] > 0.f ? dfi[c] : 0.f; /* through the ReLU */
    column_sums(df, B, d, gr[2 * i + 1]);
    product(u, df, gr[2 * i], M * d, d, B, 1, 0);
    product(df, wf[i], du, B, M * d, d, 0, 1);
    for (int64_t b = 0; b < B; b++) /* du back to the modalities' [B, k, d] slots */
      for (int64_t s = 0; s < M; s++) {
        const int64_t mo = h->mod[i][s];
        memcpy(dpooled[mo] + (b * h->k[mo] + h->slot[i][s]) * d, du + (b * M + s) * d, sizeof(float) * d);
      }
  }
}

/* Regression: y_i = f_i wr_i + br_i [B]. wt: wr, br per model. */
static void regression_forward(const heads_dims *h, const float *f, const float *const *wt, float *y) {
  const int64_t B = h->B, d = h->d;
  for (int64_t i = 0; i < h->n; i++) {
    const float *wr = wt[2 * i], br = wt[2 * i + 1][0];
    for (int64_t b = 0; b < B; b++) {
      const float *row = f + (i * B + b) * d;
      float acc = 0.f;
      for (int64_t e = 0; e < d; e++) acc += row[e] * wr[e];
      y[i * B + b] = acc + br;
    }
  }
}

/* Regression backward from dy [n B]: df = dy wr^T [n B, d]; dwr, dbr per model (gr). */
static void regression_backward(const heads_dims *h, const float *dy, const float *f, const float *const *wr, float *df, float *const *gr) {
  const int64_t B = h->B, d = h->d;
  for (int64_t i = 0; i < h->n; i++) {
    float *dwr = gr[2 * i], *dbr = gr[2 * i + 1];
    memset(dwr, 0, sizeof(float) * d);
    dbr[0] = 0.f;
    for (int64_t b = 0; b < B; b++) {
      const float g = dy[i * B + b];
      const float *row = f + (i * B + b) * d;
      float *drow = df + (i * B + b) * d;
      dbr[0] += g;
      for (int64_t e = 0; e < d; e++) {
        dwr[e] += row[e] * g;
        drow[e] = g * wr[i][e];
      }
    }
  }
}

/* Projection: z1 = relu(f Wh + bh), z2 = z1 Wo + bo, proj = z2 / sqrt(sum z2^2 + 1e-12); workspace z1, z2, 1/sqrt(.). wt: Wh, bh, Wo, bo per model. */
static void projection_forward(const heads_dims *h, const float *f, const float *const *wt, float *proj, float *ws) {
  const int64_t B = h->B, d = h->d, p = h->p;
  for (int64_t i = 0; i < h->n; i++) {
    float *z1 = ws + i * B * (d + p + 1), *z2 = z1 + B * d, *r = z2 + B * p;
    product(f + i * B * d, wt[4 * i], z1, B, d, d, 0, 0);
    bias_relu(z1, wt[4 * i + 1], B, d, 1);
    product(z1, wt[4 * i + 2], z2, B, p, d, 0, 0);
    bias_relu(z2, wt[4 * i + 3], B, p, 0);
    for (int64_t b = 0; b < B; b++) {
      float ss = 0.f;
      for (int64_t q = 0; q < p; q++) ss += z2[b * p + q] * z2[b * p + q];
      r[b] = 1.f / sqrtf(ss + 1e-12f);
      for (int64_t q = 0; q < p; q++) proj[(i * B + b) * p + q] = z2[b * p + q] * r[b];
    }
  }
}

/* Projection backward from dproj [n B, p]: df [n B, d]; dWh, dbh, dWo, dbo per model (gr). w: Wh, Wo per model. tmp: B (p + d). */
static void projection_backward(const heads_dims *h, const float *dproj, const float *f, const float *ws, const float *const *w, float *df,
                                float *const *gr, float *tmp) {
  const int64_t B = h->B, d = h->d, p = h->p;
  for (int64_t i = 0; i < h->n; i++) {
    const float *z1 = ws + i * B * (d + p + 1), *z2 = z1 + B * d, *r = z2 + B * p;
    float *dz2 = tmp, *dz1 = tmp + B * p;
    for (int64_t b = 0; b < B; b++) { /* l2 normalisation: dz2 = r dproj - r^3 (dproj . z2) z2 */
      const float *dp = dproj + (i * B + b) * p;
      float dot = 0.f;
      for (int64_t q = 0; q < p; q++) dot += dp[q] * z2[b * p + q];
      const float rb = r[b], c = rb * rb * rb * dot;
      for (int64_t q = 0; q < p; q++) dz2[b * p + q] = rb * dp[q] - c * z2[b * p + q];
    }
    column_sums(dz2, B, p, gr[4 * i + 3]);
    product(z1, dz2, gr[4 * i + 2], d, p, B, 1, 0);
    product(dz2, w[2 * i + 1], dz1, B, d, p, 0, 1);
    for (int64_t c = 0; c < B * d; c++) dz1[c] = z1[c] > 0.f ? dz1[c] : 0.f; /* through the ReLU */
    column_sums(dz1, B, d, gr[4 * i + 1]);
    product(f + i * B * d, dz1, gr[4 * i], d, d, B, 1, 0);
    product(dz1, w[2 * i], df + i * B * d, B, d, d, 0, 1);
  }
}

/* ---- N-API ---- */

#define MAX_OFFSETS (6 + 12 * MAX_HEAD_MODELS)

/* Reads dims [n, B, d, p, k_text, k_audio, k_vision] and, when given, the spec (every slot used once). */
static int read_dims(napi_env env, napi_value dims_v, napi_value spec_v, heads_dims *h) {
  int64_t v[7], spec[MAX_HEAD_MODELS * (1 + 2 * MODALITY_COUNT)];
  uint32_t nd = 0, ns = 0;
  if (!mmckd_read_int64s(env, dims_v, v, 7, &nd) || nd != 7) return 0;
  h->n = v[0], h->B = v[1], h->d = v[2], h->p = v[3];
  if (h->n < 1 || h->n > MAX_HEAD_MODELS || h->B < 1 || h->d < 1 || h->p < 1) return 0;
  for (int m = 0; m < MODALITY_COUNT; m++) {
    h->k[m] = v[4 + m];
    if (h->k[m] < 0 || h->k[m] > MAX_HEAD_MODELS) return 0;
  }
  if (!spec_v) return 1;
  if (!mmckd_read_int64s(env, spec_v, spec, MAX_HEAD_MODELS * 7, &ns)) return 0;
  int used[MODALITY_COUNT][MAX_HEAD_MODELS] = {{0}};
  uint32_t a = 0;
  for (int64_t i = 0; i < h->n; i++) {
    if (a >= ns) return 0;
    h->m[i] = spec[a++];
    if (h->m[i] < 1 || h->m[i] > MODALITY_COUNT || a + 2 * h->m[i] > ns) return 0;
    for (int64_t s = 0; s < h->m[i]; s++) {
      const int64_t mo = spec[a++], sl = spec[a++];
      if (mo < 0 || mo >= MODALITY_COUNT || sl < 0 || sl >= h->k[mo] || used[mo][sl]++) return 0;
      h->mod[i][s] = mo, h->slot[i][s] = sl;
    }
  }
  for (int m = 0; m < MODALITY_COUNT; m++)
    for (int64_t j = 0; j < h->k[m]; j++)
      if (!used[m][j]) return 0;
  return a == ns;
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
  const int64_t fsize[1] = {h->n * h->B * h->d}, wsize[1] = {fusion_workspace(h)};
  int ok = c.count == 5 + 2 * h->n && resolve(&c, 0, 1, fsize, 0, &f) && resolve(&c, 1, 1, wsize, 0, &ws) && modalities(&c, 2, pooled);
  for (int64_t i = 0; i < h->n && ok; i++) {
    const int64_t sizes[2] = {h->m[i] * h->d * h->d, h->d};
    ok = resolve(&c, 5 + 2 * i, 2, sizes, 0, wt + 2 * i);
  }
  if (!ok) return outside(env, "mmckd_blas.fusionForward: operand outside the heap or misaligned");
  fusion_forward(h, pooled, (const float *const *)wt, f, ws);
  return NULL;
}

/* fusionBackward(heap, [df, f, ws, dpooled x3, Wf x n, (dWf, dbf) x n], dims, spec) */
static napi_value fusion_backward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 1, "mmckd_blas.fusionBackward: expected (heap, offsets, dims[7], spec)", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *df, *f, *ws, *dpooled[MODALITY_COUNT], *wf[MAX_HEAD_MODELS], *gr[2 * MAX_HEAD_MODELS];
  const int64_t fsize[1] = {h->n * h->B * h->d}, wsize[1] = {fusion_workspace(h)};
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
  fusion_backward(h, df, f, ws, dpooled, (const float *const *)wf, gr, tmp);
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
  regression_forward(h, f, (const float *const *)wt, y);
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
  regression_backward(h, dy, f, (const float *const *)wr, df, gr);
  return NULL;
}

/* projectionForward(heap, [proj, ws, f, (Wh, bh, Wo, bo) x n], dims) */
static napi_value projection_forward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 0, "mmckd_blas.projectionForward: expected (heap, offsets, dims[7])", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *proj, *ws, *f, *wt[4 * MAX_HEAD_MODELS];
  const int64_t psize[1] = {h->n * h->B * h->p}, wsize[1] = {projection_workspace(h)}, fsize[1] = {h->n * h->B * h->d};
  const int64_t sizes[4] = {h->d * h->d, h->d, h->d * h->p, h->p};
  if (!(c.count == 3 + 4 * h->n && resolve(&c, 0, 1, psize, 0, &proj) && resolve(&c, 1, 1, wsize, 0, &ws) && resolve(&c, 2, 1, fsize, 0, &f) &&
        resolve(&c, 3, 4 * h->n, sizes, 4, wt))) {
    return outside(env, "mmckd_blas.projectionForward: operand outside the heap or misaligned");
  }
  projection_forward(h, f, (const float *const *)wt, proj, ws);
  return NULL;
}

/* projectionBackward(heap, [dproj, f, ws, (Wh, Wo) x n, df, (dWh, dbh, dWo, dbo) x n], dims) */
static napi_value projection_backward_napi(napi_env env, napi_callback_info info) {
  call_args c;
  if (!parse(env, info, 0, "mmckd_blas.projectionBackward: expected (heap, offsets, dims[7])", &c)) return NULL;
  const heads_dims *h = &c.h;
  float *dproj, *f, *ws, *df, *w[2 * MAX_HEAD_MODELS], *gr[4 * MAX_HEAD_MODELS];
  const int64_t psize[1] = {h->n * h->B * h->p}, wsize[1] = {projection_workspace(h)}, fsize[1] = {h->n * h->B * h->d};
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
  projection_backward(h, dproj, f, ws, (const float *const *)w, df, gr, tmp);
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
