/*
 * The matrix products, bias + activation and transpose that the kit registers for the wasm backend
 * (lib/native/wasm-kernels.ts), over cblas_sgemm: OpenBLAS in the addon (bindings in mmckd_blas.c),
 * the SIMD128 sgemm in the WebAssembly module (native/wasm/mmckd_wasm.c).
 */
#include "mmckd_products.h"

#include "mmckd_cblas.h"
#include <stdint.h>
#include <string.h>

static void gemm(const float *a, const float *b, float *c, int m, int n, int k, int ta, int tb) {
  if (k == 0) {
    memset(c, 0, sizeof(float) * (int64_t)m * n);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
              ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}

void mmckd_batch_matmul(const float *a, const float *b, float *c, int64_t batch, int64_t m, int64_t n, int64_t k, int ta, int tb,
                        int64_t a_stride, int64_t b_stride) {
  for (int64_t i = 0; i < batch; i++) gemm(a + i * a_stride, b + i * b_stride, c + i * m * n, (int)m, (int)n, (int)k, ta, tb);
}

void mmckd_bias_activation(float *c, const float *bias, int64_t rows, int64_t cols, int act) {
  for (int64_t i = 0; i < rows; i++) {
    float *ci = c + i * cols;
    if (bias) {
      for (int64_t j = 0; j < cols; j++) ci[j] += bias[j];
    }
    if (act == 1) {
      for (int64_t j = 0; j < cols; j++) ci[j] = ci[j] > 0.f ? ci[j] : 0.f;
    }
  }
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

int mmckd_transpose_valid(int rank, const int64_t *shape, const int64_t *perm, int64_t *size) {
  int seen[8] = {0};
  if (rank < 1 || rank > 8) return 0;
  *size = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] < 0 || perm[i] < 0 || perm[i] >= rank || seen[perm[i]]++) return 0;
    *size *= shape[i];
  }
  return 1;
}

/*
 * Collapses axes that stay adjacent (after dropping size-1 axes), then uses a tiled 2-D transpose
 * ([.., r, c] -> [.., c, r]), block copies (last axis kept), or a generic odometer.
 */
void mmckd_transpose(const float *x, float *y, int rank, const int64_t *shape, const int64_t *perm) {
  int64_t size = 1;
  for (int i = 0; i < rank; i++) size *= shape[i];
  if (size == 0) return;
  /* collapse: drop size-1 axes (renumbering the rest), then merge input axes that stay adjacent */
  int64_t cs[8], cp[8];
  int n = 0;
  {
    int64_t renum[8], rshape[8], k = 0, r = 0;
    for (int a = 0; a < rank; a++) renum[a] = shape[a] == 1 ? -1 : r++;
    for (int a = 0; a < rank; a++)
      if (shape[a] != 1) rshape[renum[a]] = shape[a];
    int64_t keep[8]; /* renumbered input axes in output order */
    for (int i = 0; i < rank; i++)
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
  if (n <= 1) { memcpy(y, x, 4 * size); return; }
  if (n == 2) { transpose2d(x, y, 1, cs[0], cs[1]); return; }
  if (n == 3 && cp[0] == 0 && cp[1] == 2 && cp[2] == 1) { transpose2d(x, y, cs[0], cs[1], cs[2]); return; }
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
}
