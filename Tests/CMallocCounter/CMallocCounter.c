// Counts allocations per thread for tests: these definitions take precedence over the C
// library's for the whole test executable and forward to glibc's own entry points, so
// behaviour is unchanged. The counter is a plain thread-local integer (no allocation, no
// lock), so counting cannot recurse into malloc.
#include <stddef.h>
#include "CMallocCounter.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);

static __thread unsigned long allocations;

void *malloc(size_t size) {
    allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    allocations++;
    return __libc_realloc(pointer, size);
}

unsigned long cmalloccounter_thread_allocations(void) { return allocations; }
