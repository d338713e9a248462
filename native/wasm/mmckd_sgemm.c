/*
 * cblas_sgemm for the WebAssembly build of the kernels (no BLAS there): row-major
 * C = alpha op(A) op(B) + beta C in WebAssembly SIMD128, GotoBLAS-style. B is packed in panels of
 * NR = 8 columns ([k][8]) and A in panels of MR = 4 rows ([k][4]), both zero-padded at the edges,
 * in blocks of KC x NC (B, kept in cache) and MC x KC (A); a 4 x 8 micro-kernel keeps its tile in
 * 8 vector registers and, per k, broadcasts 4 values of A (v128.load32_splat) against 2 vectors
 * of B. WebAssembly has no fused multiply-add in SIMD128 (relaxed SIMD is not on in Node 20), so
 * each step is a multiply then an add; the sums run over k in order within each KC block.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#include "cblas.h"

#define MR 4
#define NR 8
#define KC 256
#define MC 128
#define NC 512

static float packed_a[MC * KC];
static float packed_b[KC * NC];

static int min_int(int a, int b) { return a < b ? a : b; }

/* A(i, p) for rows i0 .. i0 + mc and k p0 .. p0 + kc into MR-row panels [p][MR] (rows past mc zero). */
static void pack_a(int ta, const float *a, int lda, int i0, int mc, int p0, int kc, float *out) {
  for (int r = 0; r < mc; r += MR) {
    const int rows = min_int(MR, mc - r);
    float *o = out + r * kc;
    if (rows == MR && !ta) { /* four rows of A, transposed 4 x 4 at a time */
      const float *a0 = a + (int64_t)(i0 + r) * lda + p0, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      int p = 0;
      for (; p + 4 <= kc; p += 4) {
        const v128_t r0 = wasm_v128_load(a0 + p), r1 = wasm_v128_load(a1 + p), r2 = wasm_v128_load(a2 + p), r3 = wasm_v128_load(a3 + p);
        const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        wasm_v128_store(o + 4 * p, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
        wasm_v128_store(o + 4 * p + 4, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
        wasm_v128_store(o + 4 * p + 8, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
        wasm_v128_store(o + 4 * p + 12, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
      }
      for (; p < kc; p++) o[4 * p] = a0[p], o[4 * p + 1] = a1[p], o[4 * p + 2] = a2[p], o[4 * p + 3] = a3[p];
    } else if (rows == MR) { /* A stored transposed: the four rows are contiguous for each p */
      for (int p = 0; p < kc; p++) wasm_v128_store(o + 4 * p, wasm_v128_load(a + (int64_t)(p0 + p) * lda + i0 + r));
    } else {
      for (int p = 0; p < kc; p++)
        for (int q = 0; q < MR; q++) {
          const int i = i0 + r + q;
          o[MR * p + q] = q < rows ? (ta ? a[(int64_t)(p0 + p) * lda + i] : a[(int64_t)i * lda + p0 + p]) : 0.f;
        }
    }
  }
}

/* B(p, j) for k p0 .. p0 + kc and columns j0 .. j0 + nc into NR-column panels [p][NR] (columns past nc zero). */
static void pack_b(int tb, const float *b, int ldb, int p0, int kc, int j0, int nc, float *out) {
  for (int c = 0; c < nc; c += NR) {
    const int cols = min_int(NR, nc - c);
    float *o = out + c * kc;
    if (cols == NR && !tb) {
      for (int p = 0; p < kc; p++) {
        const float *row = b + (int64_t)(p0 + p) * ldb + j0 + c;
        wasm_v128_store(o + NR * p, wasm_v128_load(row));
        wasm_v128_store(o + NR * p + 4, wasm_v128_load(row + 4));
      }
    } else {
      for (int p = 0; p < kc; p++)
        for (int q = 0; q < NR; q++) {
          const int j = j0 + c + q;
          o[NR * p + q] = q < cols ? (tb ? b[(int64_t)j * ldb + p0 + p] : b[(int64_t)(p0 + p) * ldb + j]) : 0.f;
        }
    }
  }
}

/* The MR x NR tile of C (rows x cols of it inside C) += or = alpha times the product of a panel of A and one of B over kc. */
static void kernel(int kc, const float *a, const float *b, float *c, int ldc, int rows, int cols, float alpha, int add) {
  v128_t c0a = wasm_f32x4_splat(0.f), c0b = c0a, c1a = c0a, c1b = c0a, c2a = c0a, c2b = c0a, c3a = c0a, c3b = c0a;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t x = wasm_v128_load32_splat(a);
    c0a = wasm_f32x4_add(c0a, wasm_f32x4_mul(x, b0));
    c0b = wasm_f32x4_add(c0b, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a + 1);
    c1a = wasm_f32x4_add(c1a, wasm_f32x4_mul(x, b0));
    c1b = wasm_f32x4_add(c1b, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a + 2);
    c2a = wasm_f32x4_add(c2a, wasm_f32x4_mul(x, b0));
    c2b = wasm_f32x4_add(c2b, wasm_f32x4_mul(x, b1));
    x = wasm_v128_load32_splat(a + 3);
    c3a = wasm_f32x4_add(c3a, wasm_f32x4_mul(x, b0));
    c3b = wasm_f32x4_add(c3b, wasm_f32x4_mul(x, b1));
    a += MR;
    b += NR;
  }
  if (alpha != 1.f) {
    const v128_t s = wasm_f32x4_splat(alpha);
    c0a = wasm_f32x4_mul(c0a, s), c0b = wasm_f32x4_mul(c0b, s), c1a = wasm_f32x4_mul(c1a, s), c1b = wasm_f32x4_mul(c1b, s);
    c2a = wasm_f32x4_mul(c2a, s), c2b = wasm_f32x4_mul(c2b, s), c3a = wasm_f32x4_mul(c3a, s), c3b = wasm_f32x4_mul(c3b, s);
  }
  const v128_t tile[MR][2] = {{c0a, c0b}, {c1a, c1b}, {c2a, c2b}, {c3a, c3b}};
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; r++) {
      float *cr = c + (int64_t)r * ldc;
      v128_t lo = tile[r][0], hi = tile[r][1];
      if (add) lo = wasm_f32x4_add(wasm_v128_load(cr), lo), hi = wasm_f32x4_add(wasm_v128_load(cr + 4), hi);
      wasm_v128_store(cr, lo);
      wasm_v128_store(cr + 4, hi);
    }
    return;
  }
  float t[MR * NR];
  for (int r = 0; r < MR; r++) wasm_v128_store(t + r * NR, tile[r][0]), wasm_v128_store(t + r * NR + 4, tile[r][1]);
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) {
      float *cij = c + (int64_t)r * ldc + j;
      *cij = add ? *cij + t[r * NR + j] : t[r * NR + j];
    }
}

void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  (void)order; /* row-major: the only order the kernels pass */
  if (m <= 0 || n <= 0) return;
  const int transA = ta == CblasTrans, transB = tb == CblasTrans;
  if (beta != 1.f && beta != 0.f) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) c[(int64_t)i * ldc + j] *= beta;
  }
  if (k <= 0 || alpha == 0.f) {
    if (beta == 0.f)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) c[(int64_t)i * ldc + j] = 0.f;
    return;
  }
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = min_int(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = min_int(KC, k - pc);
      const int add = pc > 0 || beta != 0.f;
      pack_b(transB, b, ldb, pc, kc, jc, nc, packed_b);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = min_int(MC, m - ic);
        pack_a(transA, a, lda, ic, mc, pc, kc, packed_a);
        for (int jr = 0; jr < nc; jr += NR)
          for (int ir = 0; ir < mc; ir += MR)
            kernel(kc, packed_a + ir * kc, packed_b + jr * kc, c + (int64_t)(ic + ir) * ldc + jc + jr, ldc, min_int(MR, mc - ir),
                   min_int(NR, nc - jr), alpha, add);
      }
    }
  }
}
