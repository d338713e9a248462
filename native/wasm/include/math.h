/* The libm functions the kernels use, for the freestanding WebAssembly build (../mmckd_wasm.c). */
#ifndef MMCKD_WASM_MATH_H
#define MMCKD_WASM_MATH_H

#define INFINITY (__builtin_inff())
#define floor(x) __builtin_floor(x)   /* f64.floor */
#define sqrtf(x) __builtin_sqrtf(x)   /* f32.sqrt, correctly rounded like libm's */
float expf(float x);

#endif
