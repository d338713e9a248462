/* The fused attention-pooling encoder of mmckd_encoder.c (N-API bindings: mmckd_encoder_napi.c; wasm exports: native/wasm/mmckd_wasm.c). */
#ifndef MMCKD_ENCODER_H
#define MMCKD_ENCODER_H

#include <stdint.h>

/* Sizes: frames x [B, T, D], k models of width d; tanh 1/0; dropout 1/0 with keep = 1 - rate. */
typedef struct {
  int64_t B, T, D, k, d;
  int tanh, dropout;
  float keep;
} mmckd_encoder_dims;

/* Model j's weights: w [D, d], b [d], sw [d] (score weights), sb [1] (score bias). */
typedef struct {
  const float **w, **b, **sw, **sb;
} mmckd_encoder_params;

/* Model j's gradients, in the shapes of its weights. */
typedef struct {
  float **dw, **db, **dsw, **dsb;
} mmckd_encoder_grads;

/* The number of valid (mask != 0) rows of a [rows] mask. */
int64_t mmckd_encoder_valid_rows(const float *mask, int64_t rows);

/* Floats of the workspace the forward writes for the backward, given the valid (mask != 0) rows. */
int64_t mmckd_encoder_workspace_size(const mmckd_encoder_dims *dims, int64_t valid_rows);

/* pooled [B, k, d] and the workspace from x [B*T, D] and mask [B*T]; seeds[j] is model j's dropout seed. 0 ok, -1 no memory. */
int mmckd_encoder_forward(const mmckd_encoder_dims *dims, const mmckd_encoder_params *params, const float *x, const float *mask,
                          const uint32_t *seeds, float *pooled, float *ws);

/* Every weight's gradient from dpooled [B, k, d] and the forward's workspace. 0 ok, -1 no memory. */
int mmckd_encoder_backward(const mmckd_encoder_dims *dims, const mmckd_encoder_params *params, const mmckd_encoder_grads *grads,
                           const float *x, const float *mask, const float *ws, const float *dpooled);

/* The first n numbers of tf.randomUniform(shape, 0, 1, 'float32', seed), as float32. */
void mmckd_alea_uniform(uint32_t seed, float *out, int64_t n);

#endif
