/*
 * C API test, run by ganfactor.embed.CApiTest under `mvn test`:
 *   gf_test REFERENCE_FILE
 * with GANFACTOR_CLASSPATH set. REFERENCE_FILE, written by the Java test through the Java API,
 * holds "D K SEED GRID REGION", the latent code [D], K directions [K, D] and K eigenvalues.
 * The program computes the same through the C API only (its own JVM), compares (|cos| >= 0.9999
 * per direction), edits a code, and checks that bad calls return error codes with messages.
 * Exit 0 when every check passes; prints one line per check.
 */
#include "ganfactor.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...) do { \
        if (cond) { printf("ok   "); } else { printf("FAIL "); failures++; } \
        printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

/* A bad call must return `want` and leave a message. */
static void expect_error(gf_status got, gf_status want, const char *what) {
    const char *m = gf_last_error();
    CHECK(got == want && m && *m, "error %-34s -> status %d (want %d): %s", what, (int)got, (int)want, m ? m : "(null)");
}

/* A second thread: attached on its first call, its own gf_last_error, detached at the end. */
struct thread_job {
    gf_generator *g;
    size_t d;
    const double *want;
    double diff;
    gf_status bad_status;
    char bad_message[256];
    gf_status detach;
};

static void *thread_main(void *arg) {
    struct thread_job *j = arg;
    double *code = malloc(j->d * sizeof(double));
    gf_status s = gf_latent_from_seed(j->g, GF_SPACE_W, 4, code, j->d);
    j->diff = s == GF_OK ? 0 : INFINITY;
    for (size_t i = 0; s == GF_OK && i < j->d; i++) j->diff = fmax(j->diff, fabs(code[i] - j->want[i]));
    j->bad_status = gf_latent_from_seed(j->g, GF_SPACE_W, 4, code, j->d + 1);
    snprintf(j->bad_message, sizeof j->bad_message, "%s", gf_last_error());
    free(code);
    j->detach = gf_detach_thread();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: gf_test REFERENCE_FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) { fprintf(stderr, "cannot read %s\n", argv[1]); return 2; }
    size_t D, K;
    unsigned seed;
    int grid;
    char region[64];
    if (fscanf(f, "%zu %zu %u %d %63s", &D, &K, &seed, &grid, region) != 5) { fprintf(stderr, "bad reference header\n"); return 2; }
    double *ref_code = malloc(D * sizeof(double)), *ref_dirs = malloc(K * D * sizeof(double)), *ref_vals = malloc(K * sizeof(double));
    for (size_t i = 0; i < D; i++) if (fscanf(f, "%lf", &ref_code[i]) != 1) return 2;
    for (size_t i = 0; i < K * D; i++) if (fscanf(f, "%lf", &ref_dirs[i]) != 1) return 2;
    for (size_t i = 0; i < K; i++) if (fscanf(f, "%lf", &ref_vals[i]) != 1) return 2;
    fclose(f);

    /* Bad calls before any JVM exists: checked on the C side. */
    gf_generator *g = NULL;
    expect_error(gf_open(NULL, &g), GF_ERR_NULL_ARG, "gf_open(NULL model)");
    expect_error(gf_grams(NULL, GF_SPACE_W, ref_code, D, "eyes", grid, GF_REDUCE_SUM, ref_dirs, ref_dirs, D * D, NULL, NULL),
                 GF_ERR_NULL_ARG, "gf_grams(NULL handle)");
    expect_error(gf_close(NULL), GF_ERR_NULL_ARG, "gf_close(NULL)");
    expect_error(gf_directions_free(NULL), GF_ERR_NULL_ARG, "gf_directions_free(NULL)");

    const char *jvm_options[] = {"-Xmx2g"};
    gf_status s = gf_init(NULL, jvm_options, 1);
    CHECK(s == GF_OK, "gf_init: %s", s == GF_OK ? "JVM started" : gf_last_error());
    if (s != GF_OK) return 1;

    s = gf_open("demo", &g);
    CHECK(s == GF_OK && g, "gf_open(demo): %s", s == GF_OK ? "opened" : gf_last_error());
    if (s != GF_OK) return 1;
    gf_generator_info info;
    gf_generator_get_info(g, &info);
    size_t d;
    gf_latent_dim(g, GF_SPACE_W, &d);
    CHECK(d == D, "generator: d %d, L %d, image %dx%dx%d; W space has %zu coordinates (reference %zu)",
          info.latent_dim, info.num_layers, info.channels, info.height, info.width, d, D);
    if (d != D) return 1;

    double *code = malloc(d * sizeof(double));
    s = gf_latent_from_seed(g, GF_SPACE_W, seed, code, d);
    double code_diff = 0;
    for (size_t i = 0; i < d; i++) code_diff = fmax(code_diff, fabs(code[i] - ref_code[i]));
    CHECK(s == GF_OK && code_diff == 0, "gf_latent_from_seed(seed %u): max |diff| to the Java code %.3g", seed, code_diff);

    double *a = malloc(d * d * sizeof(double)), *b = malloc(d * d * sizeof(double));
    int64_t inside = 0, outside = 0;
    s = gf_grams(g, GF_SPACE_W, code, d, region, grid, GF_REDUCE_SUM, a, b, d * d, &inside, &outside);
    CHECK(s == GF_OK, "gf_grams(%s, grid %d): %s, |R| %lld, |R'| %lld", region, grid, s == GF_OK ? "ok" : gf_last_error(),
          (long long)inside, (long long)outside);
    if (s != GF_OK) return 1;

    gf_solve_options o;
    gf_solve_options_init(&o);
    o.regularization = "paper";
    gf_directions *dirs = NULL;
    s = gf_solve(a, b, d, d * d, &o, &dirs);
    CHECK(s == GF_OK, "gf_solve(resefa, paper): %s", s == GF_OK ? "ok" : gf_last_error());
    if (s != GF_OK) return 1;
    size_t count, dim;
    gf_directions_shape(dirs, &count, &dim);
    double *vec = malloc(count * dim * sizeof(double)), *val = malloc(count * sizeof(double));
    s = gf_directions_copy(dirs, vec, count * dim, val, count);
    CHECK(s == GF_OK && count >= K && dim == d, "gf_directions_copy: %zu directions of %zu", count, dim);
    if (s != GF_OK || count < K) return 1;

    double worst = 1;
    for (size_t k = 0; k < K; k++) {
        double dot = 0, na = 0, nb = 0;
        for (size_t i = 0; i < d; i++) {
            dot += vec[k * d + i] * ref_dirs[k * d + i];
            na += vec[k * d + i] * vec[k * d + i];
            nb += ref_dirs[k * d + i] * ref_dirs[k * d + i];
        }
        double c = fabs(dot) / sqrt(na * nb);
        worst = fmin(worst, c);
        CHECK(c >= 0.9999, "direction %zu: |cos| to the Java API's %.12f, eigenvalue %.6g (Java %.6g)", k, c, val[k], ref_vals[k]);
    }
    printf("eye directions: min |cos| over %zu directions %.12f\n", K, worst);

    /* Edit: the W code moved by 3 along direction 0 on every layer. */
    size_t L = (size_t)info.num_layers, img = (size_t)info.channels * info.height * info.width;
    double *edited = malloc(L * d * sizeof(double));
    float *image = malloc(img * sizeof(float));
    s = gf_edit(g, GF_SPACE_W, code, d, vec, d, 3.0, NULL, 0, edited, L * d, image, img);
    double edit_err = 0;
    int finite = 1;
    for (size_t l = 0; l < L; l++)
        for (size_t i = 0; i < d; i++) edit_err = fmax(edit_err, fabs(edited[l * d + i] - (code[i] + 3.0 * vec[i])));
    for (size_t i = 0; i < img; i++) finite &= isfinite(image[i]) && image[i] >= -1.0001f && image[i] <= 1.0001f;
    CHECK(s == GF_OK && edit_err < 1e-12 && finite, "gf_edit(strength 3): %s, max |code - (w + 3 n)| %.3g, image in [-1, 1]: %s",
          s == GF_OK ? "ok" : gf_last_error(), edit_err, finite ? "yes" : "no");

    /* LowRankGAN through the same Grams (RPCA lambda 1/sqrt(d) for the demo's d = 64): at most k unit directions. */
    gf_solve_options lr;
    gf_solve_options_init(&lr);
    lr.method = GF_METHOD_LOWRANKGAN;
    lr.k = 3;
    lr.rpca_lambda = 1.0 / sqrt((double)d);
    gf_directions *ldirs = NULL;
    s = gf_solve(a, b, d, d * d, &lr, &ldirs);
    size_t lcount = 0, ldim = 0;
    double lnorm = 0;
    if (s == GF_OK) {
        gf_directions_shape(ldirs, &lcount, &ldim);
        double *lv = malloc(lcount * ldim * sizeof(double));
        if (lcount > 0 && gf_directions_copy(ldirs, lv, lcount * ldim, NULL, 0) == GF_OK)
            for (size_t i = 0; i < ldim; i++) lnorm += lv[i] * lv[i];
        free(lv);
        gf_directions_free(ldirs);
    }
    CHECK(s == GF_OK && lcount >= 1 && lcount <= 3 && ldim == d && fabs(lnorm - 1) < 1e-9,
          "gf_solve(lowrankgan, k 3): %s, %zu direction(s), |n_0|^2 = %.12f", s == GF_OK ? "ok" : gf_last_error(), lcount, lnorm);

    /* Bad calls with a live JVM: wrong sizes, bad files, bad arguments. */
    expect_error(gf_grams(g, GF_SPACE_W, code, d - 1, region, grid, GF_REDUCE_SUM, a, b, d * d, NULL, NULL), GF_ERR_SIZE, "gf_grams(code of d - 1)");
    expect_error(gf_grams(g, GF_SPACE_W, code, d, region, grid, GF_REDUCE_SUM, a, b, d * d - 1, NULL, NULL), GF_ERR_SIZE, "gf_grams(gram_len d*d - 1)");
    expect_error(gf_grams(g, GF_SPACE_WP, code, d, region, grid, GF_REDUCE_SUM, a, b, d * d, NULL, NULL), GF_ERR_SIZE, "gf_grams(W code as W+)");
    expect_error(gf_grams(g, (gf_space)7, code, d, region, grid, GF_REDUCE_SUM, a, b, d * d, NULL, NULL), GF_ERR_INVALID_ARG, "gf_grams(space 7)");
    expect_error(gf_grams(g, GF_SPACE_W, code, d, "no_such_region", grid, GF_REDUCE_SUM, a, b, d * d, NULL, NULL), GF_ERR_INPUT, "gf_grams(unknown region)");
    expect_error(gf_grams(g, GF_SPACE_W, code, d, region, 1, GF_REDUCE_SUM, a, b, d * d, NULL, NULL), GF_ERR_INPUT, "gf_grams(grid 1)");
    gf_directions *none = NULL;
    expect_error(gf_solve(a, b, d, d * d + 1, &o, &none), GF_ERR_SIZE, "gf_solve(gram_len d*d + 1)");
    CHECK(none == NULL, "gf_solve leaves *out NULL on failure");
    gf_solve_options bad_method = o;
    bad_method.method = (gf_method)9;
    expect_error(gf_solve(a, b, d, d * d, &bad_method, &none), GF_ERR_INVALID_ARG, "gf_solve(method 9)");
    gf_solve_options bad_reg = o;
    bad_reg.regularization = "sometimes";
    expect_error(gf_solve(a, b, d, d * d, &bad_reg, &none), GF_ERR_INPUT, "gf_solve(unknown regularization)");
    double *zero = calloc(d * d, sizeof(double));
    expect_error(gf_solve(a, zero, d, d * d, &o, &none), GF_ERR_INPUT, "gf_solve(B = 0)");
    expect_error(gf_directions_copy(dirs, vec, count * dim - 1, NULL, 0), GF_ERR_SIZE, "gf_directions_copy(short buffer)");
    expect_error(gf_edit(g, GF_SPACE_W, code, d, vec, d + 1, 1.0, NULL, 0, NULL, 0, NULL, 0), GF_ERR_SIZE, "gf_edit(direction of d + 1)");
    expect_error(gf_edit(g, GF_SPACE_W, code, d, vec, d, 1.0, NULL, 0, edited, L * d - 1, NULL, 0), GF_ERR_SIZE, "gf_edit(short code output)");
    expect_error(gf_edit(g, GF_SPACE_W, code, d, vec, d, NAN, NULL, 0, NULL, 0, NULL, 0), GF_ERR_INVALID_ARG, "gf_edit(strength NaN)");
    int layer99 = 99;
    expect_error(gf_edit(g, GF_SPACE_W, code, d, vec, d, 1.0, &layer99, 1, NULL, 0, NULL, 0), GF_ERR_INPUT, "gf_edit(layer 99)");
    gf_generator *g2 = (gf_generator *)1;
    expect_error(gf_open("/nonexistent/generator.pt", &g2), GF_ERR_INPUT, "gf_open(missing file)");
    CHECK(g2 == NULL, "gf_open leaves *out NULL on failure");
    const char *junk = "gf_test_not_a_model.pt";
    FILE *jf = fopen(junk, "w");
    if (jf) { fputs("this is not a TorchScript archive\n", jf); fclose(jf); }
    expect_error(gf_open(junk, &g2), GF_ERR_INPUT, "gf_open(not a TorchScript file)");
    remove(junk);

    /* Threads: another thread's failure does not touch this thread's message. */
    gf_latent_from_seed(g, GF_SPACE_W, seed, code, d - 1);
    char mine[256];
    snprintf(mine, sizeof mine, "%s", gf_last_error());
    struct thread_job job = {g, d, ref_code, 0, GF_OK, "", GF_OK};
    pthread_t th;
    int started = pthread_create(&th, NULL, thread_main, &job) == 0;
    if (started) pthread_join(th, NULL);
    CHECK(started && job.diff == 0 && job.bad_status == GF_ERR_SIZE && job.detach == GF_OK && strcmp(mine, gf_last_error()) == 0,
          "second thread: same code (max |diff| %.3g), its own error (%s), detached; this thread's message kept", job.diff, job.bad_message);

    /* The handles still work after the failures. */
    double again = 0;
    s = gf_directions_copy(dirs, vec, count * dim, NULL, 0);
    for (size_t i = 0; i < d; i++) again += vec[i] * vec[i];
    CHECK(s == GF_OK && fabs(again - 1) < 1e-12, "handles usable after the failed calls (|n_0|^2 = %.15f)", again);
    CHECK(gf_directions_free(dirs) == GF_OK, "gf_directions_free");
    CHECK(gf_close(g) == GF_OK, "gf_close");
    CHECK(gf_shutdown() == GF_OK, "gf_shutdown: JVM destroyed");
    gf_generator *late = NULL;
    expect_error(gf_open("demo", &late), GF_ERR_JVM, "gf_open after gf_shutdown");

    free(code); free(a); free(b); free(vec); free(val); free(edited); free(image); free(zero);
    free(ref_code); free(ref_dirs); free(ref_vals);
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
