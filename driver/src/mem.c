/*
 * Host memory every card can reach: ioe_mem_alloc() maps a memfd shared, so a card in
 * another process (ioe-simd over a socket, later) can map the same pages. The registry
 * of allocations lets ioe_card_dma_map() hand the descriptor and offset of an address
 * to the transport (struct ioe_dma_region).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ioe/card.h>

#include "transport.h"

struct mem_alloc {
    uintptr_t base;
    size_t size;
    int fd;
};

static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mem_alloc *mem_tab;
static size_t mem_nr, mem_cap;

void *ioe_mem_alloc(size_t size)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    if (size == 0 || size > SIZE_MAX - (size_t)page) {
        errno = EINVAL;
        return NULL;
    }
    size = (size + (size_t)page - 1) & ~((size_t)page - 1);
    int fd = memfd_create("ioe-mem", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)size) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    pthread_mutex_lock(&mem_lock);
    if (mem_nr == mem_cap) {
        size_t cap = mem_cap ? 2 * mem_cap : 16;
        struct mem_alloc *t = realloc(mem_tab, cap * sizeof(*t));
        if (!t) {
            pthread_mutex_unlock(&mem_lock);
            munmap(p, size);
            close(fd);
            errno = ENOMEM;
            return NULL;
        }
        mem_tab = t;
        mem_cap = cap;
    }
    mem_tab[mem_nr++] = (struct mem_alloc){(uintptr_t)p, size, fd};
    pthread_mutex_unlock(&mem_lock);
    return p;
}

int ioe_mem_free(void *p)
{
    struct mem_alloc a = {0};
    bool found = false;
    pthread_mutex_lock(&mem_lock);
    for (size_t i = 0; i < mem_nr; i++) {
        if (mem_tab[i].base == (uintptr_t)p) {
            a = mem_tab[i];
            mem_tab[i] = mem_tab[--mem_nr];
            found = true;
            break;
        }
    }
    if (found && mem_nr == 0) {
        free(mem_tab);
        mem_tab = NULL;
        mem_cap = 0;
    }
    pthread_mutex_unlock(&mem_lock);
    if (!found || !p)
        return -EINVAL;
    munmap(p, a.size);
    close(a.fd);
    return 0;
}

int ioe_mem_lookup(const void *hva, uint64_t size, int *fd, uint64_t *fd_offset)
{
    uintptr_t a = (uintptr_t)hva;
    int err = -ENOENT;
    pthread_mutex_lock(&mem_lock);
    for (size_t i = 0; i < mem_nr; i++) {
        const struct mem_alloc *m = &mem_tab[i];
        if (a >= m->base && a - m->base < m->size && size <= m->size - (a - m->base)) {
            *fd = m->fd;
            *fd_offset = a - m->base;
            err = 0;
            break;
        }
    }
    pthread_mutex_unlock(&mem_lock);
    return err;
}
