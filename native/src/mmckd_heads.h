/* The fused fusion and heads of mmckd_heads.c. */
#ifndef MMCKD_HEADS_H
#define MMCKD_HEADS_H

#include <node_api.h>

/* Adds fusionForward/Backward, regressionForward/Backward and projectionForward/Backward to the addon's exports. */
napi_status mmckd_heads_register(napi_env env, napi_value exports);

#endif
