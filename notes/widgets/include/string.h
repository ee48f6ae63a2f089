/* string.h for the interactive figures' WebAssembly build (runtime.c). */
#ifndef WIDGETS_STRING_H
#define WIDGETS_STRING_H
#include <stddef.h>
void *memset(void *s, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
#endif
