/* The matrix products, bias + activation and transpose of mmckd_products.c (bindings: mmckd_blas.c for N-API, native/wasm/mmckd_wasm.c). */
#ifndef MMCKD_PRODUCTS_H
#define MMCKD_PRODUCTS_H

#include <stdint.h>

/* C[i] = op(A[i]) op(B[i]) for i < batch, row-major float32 [m, k] x [k, n]; strides in elements between batch entries (0 broadcasts). */
void mmckd_batch_matmul(const float *a, const float *b, float *c, int64_t batch, int64_t m, int64_t n, int64_t k, int ta, int tb,
                        int64_t a_stride, int64_t b_stride);

/* Adds bias [cols] (when not NULL) to C [rows, cols] in place, then activation 0 linear / 1 relu. */
void mmckd_bias_activation(float *c, const float *bias, int64_t rows, int64_t cols, int activation);

/* 1 when shape and perm (rank 1 to 8) describe a transpose (perm a permutation, sizes >= 0), with the element count in *size. */
int mmckd_transpose_valid(int rank, const int64_t *shape, const int64_t *perm, int64_t *size);

/* y = x permuted by perm, 4-byte elements (float32, int32); shape and perm checked by mmckd_transpose_valid. */
void mmckd_transpose(const float *x, float *y, int rank, const int64_t *shape, const int64_t *perm);

#endif
