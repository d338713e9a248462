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
 * The bindings (N-API: mmckd_heads_napi.c; wasm: native/wasm/mmckd_wasm.c) take byte offsets into
 * the wasm heap, each checked to lie inside it, and dims = [n, B, d, p, k_text, k_audio, k_vision] (k = models per
 * modality, 0 where none); spec (fusion only) = per model M, then M pairs (modality 0-2, slot).
 */
#include "mmckd_cblas.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmckd_heads.h"

int64_t mmckd_fusion_workspace(const heads_dims *h) {
  int64_t s = 0;
  for (int64_t i = 0; i < h->n; i++) s += h->B * h->m[i] * h->d;
  return s;
}

int64_t mmckd_projection_workspace(const heads_dims *h) { return h->n * h->B * (h->d + h->p + 1); }

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
void mmckd_fusion_forward(const heads_dims *h, float *const pooled[MODALITY_COUNT], const float *const *wt, float *f, float *ws) {
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
void mmckd_fusion_backward(const heads_dims *h, const float *df_in, const float *f, const float *ws, float *const dpooled[MODALITY_COUNT],
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
void mmckd_regression_forward(const heads_dims *h, const float *f, const float *const *wt, float *y) {
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
void mmckd_regression_backward(const heads_dims *h, const float *dy, const float *f, const float *const *wr, float *df, float *const *gr) {
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
void mmckd_projection_forward(const heads_dims *h, const float *f, const float *const *wt, float *proj, float *ws) {
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
void mmckd_projection_backward(const heads_dims *h, const float *dproj, const float *f, const float *ws, const float *const *w, float *df,
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

int mmckd_heads_read_dims(const int64_t *v, uint32_t nd, const int64_t *spec, uint32_t ns, heads_dims *h) {
  if (nd != 7) return 0;
  h->n = v[0], h->B = v[1], h->d = v[2], h->p = v[3];
  if (h->n < 1 || h->n > MAX_HEAD_MODELS || h->B < 1 || h->d < 1 || h->p < 1) return 0;
  for (int m = 0; m < MODALITY_COUNT; m++) {
    h->k[m] = v[4 + m];
    if (h->k[m] < 0 || h->k[m] > MAX_HEAD_MODELS) return 0;
  }
  if (!spec) return 1;
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
