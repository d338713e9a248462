/* malloc, realloc and free for the freestanding WebAssembly build: the tfjs wasm backend's allocator, through ../mmckd_wasm.c. */
#ifndef MMCKD_WASM_STDLIB_H
#define MMCKD_WASM_STDLIB_H

#include <stddef.h>

void *malloc(size_t n);
void *realloc(void *p, size_t n);
void free(void *p);

#endif
