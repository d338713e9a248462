/* cblas_sgemm for the WebAssembly build: the SIMD128 implementation of ../mmckd_sgemm.c (row-major only). */
#ifndef MMCKD_WASM_CBLAS_H
#define MMCKD_WASM_CBLAS_H

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };

/* C = alpha op(A) op(B) + beta C; only CblasRowMajor (the kernels use nothing else). */
void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc);

#endif
