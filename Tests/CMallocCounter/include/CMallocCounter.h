#ifndef CMALLOCCOUNTER_H
#define CMALLOCCOUNTER_H
/// Allocations (malloc, calloc, realloc) made by the calling thread since it started: the
/// test executable's own malloc interposes the C library's, so tests can prove that a hot path
/// allocates nothing (read before and after a loop on one thread).
unsigned long cmalloccounter_thread_allocations(void);
#endif
