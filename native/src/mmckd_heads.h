/* The fused concat fusion and heads of n models (mmckd_heads.c); bindings: mmckd_heads_napi.c (N-API), native/wasm/mmckd_wasm.c (wasm). */
#ifndef MMCKD_HEADS_H
#define MMCKD_HEADS_H

#include <stdint.h>

#define MAX_HEAD_MODELS 64
#define MODALITY_COUNT 3

typedef struct {
  int64_t n, B, d, p;
  int64_t k[MODALITY_COUNT];
  int64_t m[MAX_HEAD_MODELS];                    /* modalities per model */
  int64_t mod[MAX_HEAD_MODELS][MODALITY_COUNT];  /* modality of each slot */
  int64_t slot[MAX_HEAD_MODELS][MODALITY_COUNT]; /* its index in that modality's [B, k, d] */
} heads_dims;

/* Reads dims [n, B, d, p, k_text, k_audio, k_vision] (nd = 7) and, when spec is not NULL, the spec
   (per model M, then M pairs (modality, slot); every slot used once). 1 valid, 0 not. */
int mmckd_heads_read_dims(const int64_t *dims, uint32_t nd, const int64_t *spec, uint32_t ns, heads_dims *h);

/* Floats of the fusion's workspace (the concatenated inputs) and of the projection's (z1, z2, row scales). */
int64_t mmckd_fusion_workspace(const heads_dims *h);
int64_t mmckd_projection_workspace(const heads_dims *h);

/* The kernels; argument order and shapes as documented at each definition in mmckd_heads.c. */
void mmckd_fusion_forward(const heads_dims *h, float *const pooled[MODALITY_COUNT], const float *const *wt, float *f, float *ws);
void mmckd_fusion_backward(const heads_dims *h, const float *df_in, const float *f, const float *ws, float *const dpooled[MODALITY_COUNT],
                           const float *const *wf, float *const *gr, float *tmp);
void mmckd_regression_forward(const heads_dims *h, const float *f, const float *const *wt, float *y);
void mmckd_regression_backward(const heads_dims *h, const float *dy, const float *f, const float *const *wr, float *df, float *const *gr);
void mmckd_projection_forward(const heads_dims *h, const float *f, const float *const *wt, float *proj, float *ws);
void mmckd_projection_backward(const heads_dims *h, const float *dproj, const float *f, const float *ws, const float *const *w, float *df,
                               float *const *gr, float *tmp);

#endif
