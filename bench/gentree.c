/* gentree: a deterministic tree of many small files, for the memory and per-file benchmarks.
 *
 *   gentree DIR DIRS FILES_PER_DIR BYTES [SEED]
 *
 * Makes DIR/dNNNNN/fNNNNN, each file BYTES of pseudo-random (incompressible, never repeated) data from
 * xorshift64* seeded by SEED (default 1), so every run and every machine produces the same bytes.
 * 300 x 1000 x 600 is issue 16's 300k-file tree; 3000 x 1000 x 600 its 3M-file tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t state;
static uint64_t next(void) {
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 2685821657736338717ULL;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: gentree DIR DIRS FILES_PER_DIR BYTES [SEED]\n"); return 2; }
    const char *root = argv[1];
    long dirs = atol(argv[2]), files = atol(argv[3]), bytes = atol(argv[4]);
    state = argc > 5 ? strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ULL + 1 : 0x9E3779B97F4A7C15ULL;
    if (mkdir(root, 0755) != 0 && errno != EEXIST) { perror(root); return 1; }
    char *buf = malloc(bytes + 8), path[4096];
    for (long d = 0; d < dirs; d++) {
        snprintf(path, sizeof path, "%s/d%05ld", root, d);
        if (mkdir(path, 0755) != 0 && errno != EEXIST) { perror(path); return 1; }
        for (long f = 0; f < files; f++) {
            for (long i = 0; i < bytes; i += 8) { uint64_t v = next(); memcpy(buf + i, &v, 8); }
            snprintf(path, sizeof path, "%s/d%05ld/f%05ld", root, d, f);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || write(fd, buf, bytes) != bytes || close(fd) != 0) { perror(path); return 1; }
        }
    }
    return 0;
}
