/*
 * gen.c: deterministic, moderately compressible byte stream for the Offsite benchmark.
 *
 *   gen <MiB> [changed]
 *
 * Writes <MiB> MiB to stdout as 1 MiB blocks. Each block depends only on its index (and,
 * with "changed", on whether it is one of the mutated blocks), so the output is the same
 * on every run and every machine, and a mutated block never shifts the blocks after it.
 *
 * Block kinds (chosen by a hash of the index):
 *   45 %  random bytes                      (incompressible)
 *   40 %  text from a 256-word vocabulary   (zstd/lz4 compress it ~3x)
 *   15 %  log-like lines with counters      (compress ~10x)
 *
 * "changed": every 20th block (index % 20 == 10, i.e. 5 % of the blocks) gets new content
 * from a different seed; all other blocks are byte-identical to the unchanged stream.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (1u << 20)

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

typedef struct { uint64_t s; } rng_t;

static inline uint64_t next(rng_t *r) /* xorshift64* */
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

static char words[256][12];
static unsigned char wlen[256];

static void make_vocabulary(void)
{
    rng_t r = { splitmix64(0x0FF517Eull) | 1 };
    for (int i = 0; i < 256; i++) {
        int n = 2 + (int)(next(&r) % 8);
        for (int j = 0; j < n; j++) words[i][j] = (char)('a' + next(&r) % 26);
        words[i][n] = ' ';
        wlen[i] = (unsigned char)(n + 1);
    }
}

static void fill_random(unsigned char *b, rng_t *r)
{
    for (size_t i = 0; i < BLOCK; i += 8) {
        uint64_t v = next(r);
        memcpy(b + i, &v, 8);
    }
}

static void fill_words(unsigned char *b, rng_t *r)
{
    size_t i = 0;
    while (i < BLOCK) {
        uint64_t v = next(r);
        for (int k = 0; k < 8 && i < BLOCK; k++) {
            unsigned w = (unsigned)(v >> (8 * k)) & 0xFF;
            size_t n = wlen[w];
            if (i + n > BLOCK) n = BLOCK - i;
            memcpy(b + i, words[w], n);
            i += n;
            if ((w & 15) == 0 && i < BLOCK) b[i++] = '\n';
        }
    }
}

static void fill_log(unsigned char *b, rng_t *r, uint64_t index)
{
    static const char *lvl[] = { "INFO", "INFO", "INFO", "DEBUG", "WARN", "INFO", "INFO", "ERROR" };
    static const char *path[] = { "/api/v1/items", "/api/v1/users", "/healthz", "/api/v1/orders", "/static/app.js", "/login", "/api/v1/search", "/metrics" };
    char line[256];
    size_t i = 0;
    uint64_t seq = index * 10000;
    while (i < BLOCK) {
        uint64_t v = next(r);
        int n = snprintf(line, sizeof line,
                         "2024-05-%02u %02u:%02u:%02u.%03u %s req=%016llx %s/%u status=%u bytes=%u seq=%llu\n",
                         (unsigned)(1 + index % 28), (unsigned)(seq / 3600 % 24), (unsigned)(seq / 60 % 60), (unsigned)(seq % 60),
                         (unsigned)(v % 1000), lvl[(v >> 10) & 7], (unsigned long long)(v >> 16 & 0xFFFFFFFFull),
                         path[(v >> 13) & 7], (unsigned)((v >> 20) % 5000), (v >> 40 & 15) ? 200u : 404u,
                         (unsigned)((v >> 44) % 65536), (unsigned long long)seq);
        seq++;
        size_t m = (size_t)n;
        if (i + m > BLOCK) m = BLOCK - i;
        memcpy(b + i, line, m);
        i += m;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen <MiB> [changed]\n");
        return 2;
    }
    uint64_t blocks = strtoull(argv[1], NULL, 10);
    int changed = argc > 2 && strcmp(argv[2], "changed") == 0;
    unsigned char *b = malloc(BLOCK);
    if (!b) return 1;
    make_vocabulary();
    for (uint64_t i = 0; i < blocks; i++) {
        uint64_t seed = splitmix64(i ^ 0xB0FF5173ull);
        if (changed && i % 20 == 10) seed = splitmix64(seed ^ 0xC4A46EDull);
        rng_t r = { seed | 1 };
        unsigned kind = (unsigned)(splitmix64(seed) % 100);
        if (kind < 45) fill_random(b, &r);
        else if (kind < 85) fill_words(b, &r);
        else fill_log(b, &r, i);
        if (fwrite(b, 1, BLOCK, stdout) != BLOCK) {
            perror("gen: write");
            return 1;
        }
    }
    if (fflush(stdout) != 0) {
        perror("gen: flush");
        return 1;
    }
    free(b);
    return 0;
}
