/*
 * The shim's heap: small objects from power-of-two slabs, large ones from physically
 * contiguous pages (reached through the physical map). Boot-time structures (the file
 * index, inode tables) are large and are taken while fresh memory is contiguous.
 */
#ifndef SHIM_KMALLOC_H
#define SHIM_KMALLOC_H

#include "lib/types.h"

void *kmalloc(size_t n); /* NULL when out of memory; memory is zeroed */
void kfree(void *p);
void *krealloc(void *p, size_t n);
/* Gives one cached large block back to the page allocator as single pages; false when
 * none is cached (page_alloc calls it when it has no page left). */
bool kmalloc_reclaim(void);

#endif
