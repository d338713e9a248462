/*
 * The attention-pooling encoders of k models that read one modality, as one forward and one
 * backward call (lib/models/fused-encoder.ts). Per model j (weights W_j [D, d], b_j [d], score
 * weights v_j [d], c_j) and per frame row r = (b, t) of x [B*T, D]:
 *
 *   g  = tanh(x W_j + b_j)                       [B*T, d]   (or no tanh)
 *   h  = g * s,  s = floor(u + keep) / keep      dropout, u from model j's own seed (below)
 *   q  = h . v_j + c_j + (1 - m) * (-1e9)        [B, T] scores, padded frames pushed down
 *   p  = softmax_t(q),  a = p * m                [B, T] an empty clip pools to 0
 *   pooled[b, j] = sum_t a h                     [B, k, d]
 *
 * u is the stream of tf.randomUniform(shape, 0, 1, 'float32', seed): seedrandom's Alea generator
 * seeded with the seed's decimal string, spelled out below in the same double arithmetic, so the
 * dropout masks are the ones the TensorFlow.js path draws for the same seeds (a test compares them
 * bit for bit). The file is built with -ffp-contract=off so no fused multiply-add changes a bit
 * (-fno-trapping-math only lets the tanh loop vectorise; it changes no result).
 *
 * Frames with m == 0 get weight exactly 0 (exp(-1e9 - max) underflows; an empty clip multiplies
 * its uniform softmax by 0), so they are left out of the products: x's valid rows are gathered and
 * the forward and weight-gradient sgemms run over them only. Their dropout numbers are still drawn,
 * so the stream stays aligned with the TensorFlow.js one.
 *
 * The same source builds the N-API addon (OpenBLAS's cblas_sgemm) and the WebAssembly module
 * (native/wasm/: a SIMD128 cblas_sgemm and a few libc functions, no OpenBLAS).
 *
 * Workspace (written by the forward, read by the backward), over the nv valid rows only:
 *   g [nv, k*d], then s [nv, k*d] (with dropout), then p [B, k, T] (0 on padded frames).
 */
#include "mmckd_encoder.h"

#include "mmckd_cblas.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Alea (Baagoe 2010) as the seedrandom package, which tf.randomUniform uses, computes it ---- */

typedef struct {
  double s0, s1, s2, c;
} alea_state;

/* ECMAScript ToUint32 of a finite non-negative double (f - floor(f / 2^32) 2^32 is exact here: fmod without libm). */
static double to_uint32(double h) {
  double f = floor(h);
  f = f - floor(f / 4294967296.0) * 4294967296.0;
  return f < 0 ? f + 4294967296.0 : f;
}

typedef struct {
  double n;
} mash_state;

static double mash(mash_state *m, const char *data) {
  double n = m->n;
  for (const char *p = data; *p; p++) {
    n += (double)(unsigned char)*p;
    double h = 0.02519603282416938 * n;
    n = to_uint32(h);
    h -= n;
    h *= n;
    n = to_uint32(h);
    h -= n;
    n += h * 4294967296.0;
  }
  m->n = n;
  return to_uint32(n) * 2.3283064365386963e-10;
}

/* Seeds the generator as tf.randomUniform does: Alea(String(seed)). */
static void alea_seed(alea_state *a, uint32_t seed) {
  char text[16]; /* String(seed): its decimal digits (no snprintf: the wasm build has no stdio) */
  int len = 0;
  do text[len++] = (char)('0' + seed % 10); while ((seed /= 10) != 0);
  for (int i = 0; i < len / 2; i++) {
    const char c = text[i];
    text[i] = text[len - 1 - i];
    text[len - 1 - i] = c;
  }
  text[len] = 0;
  mash_state m = {(double)0xefc8249dU};
  a->c = 1;
  a->s0 = mash(&m, " ");
  a->s1 = mash(&m, " ");
  a->s2 = mash(&m, " ");
  a->s0 -= mash(&m, text);
  if (a->s0 < 0) a->s0 += 1;
  a->s1 -= mash(&m, text);
  if (a->s1 < 0) a->s1 += 1;
  a->s2 -= mash(&m, text);
  if (a->s2 < 0) a->s2 += 1;
}

/*
 * t | 0 for the t of the recurrence, which lies in [0, 2^31): its integer part. WebAssembly's
 * f64.floor is one instruction (and vectorises); its double -> int32 -> double round trip is a
 * saturating conversion with range checks, 2x slower in the dropout stream. On x86-64 the round
 * trip is cvttsd2si/cvtsi2sd (floor() without SSE4.1 would be a libm call). Both are exact here.
 */
static inline double integer_part(double t) {
#ifdef __wasm__
  return floor(t);
#else
  return (double)(int32_t)t;
#endif
}

static inline double alea_next(alea_state *a) {
  double t = 2091639.0 * a->s0 + a->c * 2.3283064365386963e-10;
  a->s0 = a->s1;
  a->s1 = a->s2;
  a->c = integer_part(t); /* t | 0: t is in [0, 2^31) */
  return a->s2 = t - a->c;
}

/* ---- tanh ---- */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/*
 * tanh in place: Eigen's rational approximation (odd 13/even 6 polynomials, clamped at +-7.9,
 * identity below 4e-4), within 4e-7 of tanh (absolute and relative) over the floats; glibc's
 * tanhf is scalar and took ~70% of the forward. Branch-free so that the loop vectorises (needs
 * -fno-trapping-math); the AVX2 clone gives the same bits as the SSE2 one (no contraction).
 */
VECTOR_CLONES static void tanh_in_place(float *restrict v, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    const float a = v[i], c = 7.90531110763549805f;
    const float x = a > c ? c : (a < -c ? -c : a);
    const float x2 = x * x;
    float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    p = x * p;
    float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    const float r = p / q;
    v[i] = (a < 0.0004f && a > -0.0004f) ? a : r;
  }
}

/* ---- grow-only scratch buffers (the addon runs on Node's main thread only) ---- */

static float *scratch(float **buf, size_t *cap, size_t n) {
  if (n > *cap) {
    float *p = (float *)realloc(*buf, n * sizeof(float));
    if (!p) return NULL;
    *buf = p;
    *cap = n;
  }
  return *buf;
}

static float *gathered_x;
static size_t gathered_x_cap;
static float *grad_z;
static size_t grad_z_cap;
static float *weights_side_by_side;
static size_t weights_cap;

/* Copies the rows of x whose mask is non-zero into out; returns their count. */
static int64_t gather_rows(const float *x, const float *mask, int64_t rows, int64_t dim, float *out) {
  int64_t nv = 0;
  for (int64_t r = 0; r < rows; r++) {
    if (mask[r] != 0.f) memcpy(out + (nv++) * dim, x + r * dim, sizeof(float) * dim);
  }
  return nv;
}

int64_t mmckd_encoder_valid_rows(const float *mask, int64_t rows) {
  int64_t nv = 0;
  for (int64_t r = 0; r < rows; r++) nv += mask[r] != 0.f;
  return nv;
}

/*
 * Dropout scales s [nv, k*d] of the valid rows: model j's stream draws d numbers per frame in
 * [B, T, d] order (padded frames draw theirs too, unused). The recurrence of one stream is serial,
 * so four streams advance side by side (about 3x faster than one after another).
 */
static void draw_dropout_scales(const uint32_t *seeds, int64_t k, int64_t d, const float *mask, int64_t rows, float keep, float *s) {
  const int64_t kd = k * d;
  const float kept = 1.f / keep;
  for (int64_t j0 = 0; j0 < k; j0 += 4) {
    const int64_t lanes = k - j0 < 4 ? k - j0 : 4;
    double s0[4], s1[4], s2[4], c[4];
    for (int q = 0; q < 4; q++) {
      alea_state a;
      alea_seed(&a, seeds[j0 + (q < lanes ? q : 0)]);
      s0[q] = a.s0, s1[q] = a.s1, s2[q] = a.s2, c[q] = a.c;
    }
    int64_t v = 0;
    for (int64_t r = 0; r < rows; r++) {
      const int valid = mask[r] != 0.f;
      float *sr = s + v * kd + j0 * d;
      for (int64_t e = 0; e < d; e++) {
        float u[4];
        for (int q = 0; q < 4; q++) { /* alea_next, four lanes */
          const double t = 2091639.0 * s0[q] + c[q] * 2.3283064365386963e-10;
          s0[q] = s1[q];
          s1[q] = s2[q];
          c[q] = integer_part(t);
          s2[q] = t - c[q];
          u[q] = (float)s2[q];
        }
        if (!valid) continue;
        /* tf.dropout's floor(u + keep) / keep in float32; u + keep lies in [0, 2), so the floor is a comparison */
        for (int64_t q = 0; q < lanes; q++) sr[q * d + e] = u[q] + keep >= 1.f ? kept : 0.f;
      }
      v += valid;
    }
  }
}

/* x's valid rows (mask != 0), packed: x itself when every row is valid, else a gathered copy (NULL: no memory). */
static const float *valid_frames(const float *x, const float *mask, int64_t rows, int64_t D, int64_t nv) {
  if (nv == rows) return x;
  float *buf = scratch(&gathered_x, &gathered_x_cap, (size_t)(nv > 0 ? nv : 1) * D);
  if (buf) gather_rows(x, mask, rows, D, buf);
  return buf;
}

int64_t mmckd_encoder_workspace_size(const mmckd_encoder_dims *dims, int64_t valid_rows) {
  const int64_t kd = dims->k * dims->d;
  return valid_rows * kd * (dims->dropout ? 2 : 1) + dims->B * dims->k * dims->T;
}

int mmckd_encoder_forward(const mmckd_encoder_dims *dm, const mmckd_encoder_params *pm, const float *x, const float *mask,
                          const uint32_t *seeds, float *pooled, float *ws) {
  const int64_t B = dm->B, T = dm->T, D = dm->D, k = dm->k, d = dm->d, kd = k * d, BT = B * T;
  const int64_t nv = mmckd_encoder_valid_rows(mask, BT);
  float *g = ws;
  float *s = dm->dropout ? ws + nv * kd : NULL;
  float *p = ws + nv * kd * (dm->dropout ? 2 : 1);
  /* projection over the valid rows: g[:, j] = x_valid W_j */
  const float *xv = valid_frames(x, mask, BT, D, nv);
  if (!xv) return -1;
  if (nv > 0 && D > 0) {
    if (k == 1) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nv, (int)d, (int)D, 1.0f, xv, (int)D, pm->w[0], (int)d, 0.0f, g, (int)d);
    } else { /* one product with the weights side by side [D, k d]: x is packed once, not k times (~8% faster) */
      float *wc = scratch(&weights_side_by_side, &weights_cap, (size_t)D * kd);
      if (!wc) return -1;
      for (int64_t r = 0; r < D; r++)
        for (int64_t j = 0; j < k; j++) memcpy(wc + r * kd + j * d, pm->w[j] + r * d, sizeof(float) * d);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nv, (int)kd, (int)D, 1.0f, xv, (int)D, wc, (int)kd, 0.0f, g, (int)kd);
    }
  } else {
    memset(g, 0, sizeof(float) * nv * kd);
  }
  /* bias and tanh */
  for (int64_t r = 0; r < nv; r++) {
    float *gr = g + r * kd;
    for (int64_t j = 0; j < k; j++) {
      const float *bj = pm->b[j];
      float *gj = gr + j * d;
      for (int64_t e = 0; e < d; e++) gj[e] += bj[e];
    }
  }
  if (dm->tanh) tanh_in_place(g, nv * kd);
  if (dm->dropout) draw_dropout_scales(seeds, k, d, mask, BT, dm->keep, s);
  /* scores, masked softmax over frames, pooling */
  memset(pooled, 0, sizeof(float) * B * kd);
  int64_t row0 = 0; /* first valid row of clip b */
  for (int64_t b = 0; b < B; b++) {
    const float *mb = mask + b * T;
    int64_t nb = 0;
    for (int64_t t = 0; t < T; t++) nb += mb[t] != 0.f;
    for (int64_t j = 0; j < k; j++) {
      float *pj = p + (b * k + j) * T;
      float *out = pooled + (b * k + j) * d;
      const float *vj = pm->sw[j];
      const float cj = pm->sb[j][0];
      memset(pj, 0, sizeof(float) * T);
      if (nb == 0) continue; /* a clip with no frame pools to 0 */
      float mx = -INFINITY;
      int64_t v = row0;
      for (int64_t t = 0; t < T; t++) {
        if (mb[t] == 0.f) continue;
        const float *gr = g + v * kd + j * d;
        const float *sr = s ? s + v * kd + j * d : NULL;
        float q = 0.f;
        if (sr) for (int64_t e = 0; e < d; e++) q += gr[e] * sr[e] * vj[e];
        else for (int64_t e = 0; e < d; e++) q += gr[e] * vj[e];
        q = q + cj + (1.f - mb[t]) * -1e9f;
        pj[t] = q;
        if (q > mx) mx = q;
        v++;
      }
      float sum = 0.f;
      for (int64_t t = 0; t < T; t++) {
        if (mb[t] == 0.f) continue;
        pj[t] = expf(pj[t] - mx);
        sum += pj[t];
      }
      v = row0;
      for (int64_t t = 0; t < T; t++) {
        if (mb[t] == 0.f) continue;
        pj[t] /= sum;
        const float a = pj[t] * mb[t];
        const float *gr = g + v * kd + j * d;
        const float *sr = s ? s + v * kd + j * d : NULL;
        if (sr) for (int64_t e = 0; e < d; e++) out[e] += a * (gr[e] * sr[e]);
        else for (int64_t e = 0; e < d; e++) out[e] += a * gr[e];
        v++;
      }
    }
    row0 += nb;
  }
  return 0;
}

int mmckd_encoder_backward(const mmckd_encoder_dims *dm, const mmckd_encoder_params *pm, const mmckd_encoder_grads *gr_out,
                           const float *x, const float *mask, const float *ws, const float *dpooled) {
  const int64_t B = dm->B, T = dm->T, D = dm->D, k = dm->k, d = dm->d, kd = k * d, BT = B * T;
  const int64_t nv = mmckd_encoder_valid_rows(mask, BT);
  const float *g = ws;
  const float *s = dm->dropout ? ws + nv * kd : NULL;
  const float *p = ws + nv * kd * (dm->dropout ? 2 : 1);
  float *dz = scratch(&grad_z, &grad_z_cap, (size_t)(nv > 0 ? nv : 1) * kd);
  if (!dz) return -1;
  for (int64_t j = 0; j < k; j++) {
    memset(gr_out->db[j], 0, sizeof(float) * d);
    memset(gr_out->dsw[j], 0, sizeof(float) * d);
    gr_out->dsb[j][0] = 0.f;
  }
  int64_t row0 = 0;
  for (int64_t b = 0; b < B; b++) {
    const float *mb = mask + b * T;
    int64_t nb = 0;
    for (int64_t t = 0; t < T; t++) nb += mb[t] != 0.f;
    for (int64_t j = 0; j < k; j++) {
      const float *pj = p + (b * k + j) * T;
      const float *dy = dpooled + (b * k + j) * d;
      const float *vj = pm->sw[j];
      float *dsw = gr_out->dsw[j];
      /* da_t = dy . h_t;  ds_t = da_t m_t;  softmax: dq_t = p_t (ds_t - sum_t' ds_t' p_t') */
      float dot = 0.f;
      float dq[1024];
      float *dqb = T <= 1024 ? dq : (float *)malloc(sizeof(float) * T);
      if (!dqb) return -1;
      int64_t v = row0;
      for (int64_t t = 0; t < T; t++) {
        if (mb[t] == 0.f) continue;
        const float *gr = g + v * kd + j * d;
        const float *sr = s ? s + v * kd + j * d : NULL;
        float da = 0.f;
        if (sr) for (int64_t e = 0; e < d; e++) da += dy[e] * (gr[e] * sr[e]);
        else for (int64_t e = 0; e < d; e++) da += dy[e] * gr[e];
        dqb[t] = da * mb[t];
        dot += dqb[t] * pj[t];
        v++;
      }
      float dsb = 0.f;
      v = row0;
      for (int64_t t = 0; t < T; t++) {
        if (mb[t] == 0.f) continue;
        const float q = pj[t] * (dqb[t] - dot);
        const float a = pj[t] * mb[t];
        dsb += q;
        const float *gr = g + v * kd + j * d;
        const float *sr = s ? s + v * kd + j * d : NULL;
        float *dzr = dz + v * kd + j * d;
        for (int64_t e = 0; e < d; e++) {
          const float ge = gr[e];
          const float se = sr ? sr[e] : 1.f;
          const float dh = dy[e] * a + q * vj[e];
          dsw[e] += q * (ge * se);
          float dg = sr ? dh * se : dh;
          dzr[e] = dm->tanh ? dg * (1.f - ge * ge) : dg;
        }
        v++;
      }
      gr_out->dsb[j][0] += dsb;
      if (dqb != dq) free(dqb);
    }
    row0 += nb;
  }
  /* bias gradients: column sums of dz; weight gradients: x_valid^T dz */
  for (int64_t r = 0; r < nv; r++) {
    const float *dzr = dz + r * kd;
    for (int64_t j = 0; j < k; j++) {
      float *db = gr_out->db[j];
      const float *dzj = dzr + j * d;
      for (int64_t e = 0; e < d; e++) db[e] += dzj[e];
    }
  }
  const float *xv = valid_frames(x, mask, BT, D, nv);
  if (!xv) return -1;
  if (nv == 0 || D == 0) {
    for (int64_t j = 0; j < k; j++) memset(gr_out->dw[j], 0, sizeof(float) * D * d);
  } else if (k == 1) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)D, (int)d, (int)nv, 1.0f, xv, (int)D, dz, (int)d, 0.0f, gr_out->dw[0], (int)d);
  } else { /* one product into [D, k d], then each model's columns */
    float *dwc = scratch(&weights_side_by_side, &weights_cap, (size_t)D * kd);
    if (!dwc) return -1;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)D, (int)kd, (int)nv, 1.0f, xv, (int)D, dz, (int)kd, 0.0f, dwc, (int)kd);
    for (int64_t r = 0; r < D; r++)
      for (int64_t j = 0; j < k; j++) memcpy(gr_out->dw[j] + r * d, dwc + r * kd + j * d, sizeof(float) * d);
  }
  return 0;
}

void mmckd_alea_uniform(uint32_t seed, float *out, int64_t n) {
  alea_state a;
  alea_seed(&a, seed);
  for (int64_t i = 0; i < n; i++) out[i] = (float)alea_next(&a);
}
