#ifndef IOE_BENCH_REPORT_H
#define IOE_BENCH_REPORT_H

#include <stdio.h>

#include "bench.h"

void report_table(FILE *f, struct series *s, unsigned n, const struct opts *o);
/* 0, or -1 with errno */
int report_json(const char *path, struct series *s, unsigned n, const struct opts *o,
                const char *skipped);
int report_svg(const char *path, struct series *s, unsigned n, const struct opts *o);

#endif
