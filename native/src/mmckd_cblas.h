/* Where cblas_sgemm comes from: OpenBLAS (Linux, the addon), Apple's Accelerate (macOS, the addon;
   UNVERIFIED: written to Apple's documentation, never built here), or the SIMD128 sgemm of the
   WebAssembly module (native/wasm/include/cblas.h comes first on its include path). */
#ifndef MMCKD_CBLAS_H
#define MMCKD_CBLAS_H

#ifdef MMCKD_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#endif
