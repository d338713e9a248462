/* memcpy and memset for the freestanding WebAssembly build: with bulk memory, clang emits memory.copy / memory.fill. */
#ifndef MMCKD_WASM_STRING_H
#define MMCKD_WASM_STRING_H

#include <stddef.h>

#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))

#endif
