/* What the addon's N-API bindings share: the status check, reading an array of integers, and a
   bounds-checked float view of the wasm heap (an ArrayBuffer) at a byte offset. */
#ifndef MMCKD_NAPI_H
#define MMCKD_NAPI_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Returns NULL from the calling binding, with a JavaScript error, when an N-API call fails. */
#define CHECK(call)                                                         \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error(env, NULL, "mmckd_blas: N-API call failed: " #call); \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

/* Reads a JavaScript array of at most `max` integers into out; 1 ok, 0 not such an array. */
static inline int mmckd_read_int64s(napi_env env, napi_value array, int64_t *out, uint32_t max, uint32_t *count) {
  uint32_t n;
  if (napi_get_array_length(env, array, &n) != napi_ok || n > max) return 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    if (napi_get_element(env, array, i, &e) != napi_ok || napi_get_value_int64(env, e, &out[i]) != napi_ok) return 0;
  }
  *count = n;
  return 1;
}

/* The float pointer at byte offset `off`, or NULL when [off, off + 4 n) leaves the heap or is misaligned. */
static inline float *mmckd_heap_floats(uint8_t *heap, size_t len, int64_t off, int64_t n) {
  if (off < 0 || n < 0 || off % 4 != 0 || off + 4 * n > (int64_t)len) return NULL;
  return (float *)(heap + off);
}

/* The bytes of an ArrayBuffer (the wasm heap); 1 ok, 0 not an ArrayBuffer. */
static inline int mmckd_get_heap(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  void *p = NULL;
  if (napi_get_arraybuffer_info(env, v, &p, len) != napi_ok) return 0;
  *data = (uint8_t *)p;
  return 1;
}

/* Add the fused encoder's (mmckd_encoder_napi.c) and the heads' (mmckd_heads_napi.c) functions to the addon's exports. */
napi_status mmckd_encoder_register(napi_env env, napi_value exports);
napi_status mmckd_heads_register(napi_env env, napi_value exports);

#endif
