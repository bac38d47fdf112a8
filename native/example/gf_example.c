/*
 * ganfactor C API example: eye directions of the demo generator, then one edit.
 *   GANFACTOR_CLASSPATH=@java/target/classpath.txt native/cppbuild/linux-x86_64/bin/gf_example [MODEL] [REGION]
 */
#include "ganfactor.h"

#include <stdio.h>
#include <stdlib.h>

#define TRY(call) do { gf_status s_ = (call); if (s_ != GF_OK) { \
        fprintf(stderr, "%s failed (%d): %s\n", #call, (int)s_, gf_last_error()); return 1; } } while (0)

int main(int argc, char **argv) {
    const char *model = argc > 1 ? argv[1] : "demo";
    const char *region = argc > 2 ? argv[2] : "eyes";
    gf_generator *g;
    TRY(gf_open(model, &g));
    gf_generator_info info;
    TRY(gf_generator_get_info(g, &info));
    size_t d;
    TRY(gf_latent_dim(g, GF_SPACE_W, &d));

    double *w = malloc(d * sizeof *w), *a = malloc(d * d * sizeof *a), *b = malloc(d * d * sizeof *b);
    TRY(gf_latent_from_seed(g, GF_SPACE_W, 4, w, d));
    TRY(gf_grams(g, GF_SPACE_W, w, d, region, 256, GF_REDUCE_SUM, a, b, d * d, NULL, NULL));

    gf_solve_options o;
    gf_solve_options_init(&o);
    o.k = 3;
    gf_directions *dirs;
    TRY(gf_solve(a, b, d, d * d, &o, &dirs));
    size_t k, dim;
    TRY(gf_directions_shape(dirs, &k, &dim));
    double *n = malloc(k * dim * sizeof *n), *values = malloc(k * sizeof *values);
    TRY(gf_directions_copy(dirs, n, k * dim, values, k));
    for (size_t j = 0; j < k; j++) printf("%s direction %zu: eigenvalue %.4g\n", region, j, values[j]);

    size_t img = (size_t)info.channels * info.height * info.width;
    float *image = malloc(img * sizeof *image);
    TRY(gf_edit(g, GF_SPACE_W, w, d, n, d, 5.0, NULL, 0, NULL, 0, image, img));
    printf("edited image %dx%dx%d, first pixel %.4f\n", info.channels, info.height, info.width, image[0]);

    TRY(gf_directions_free(dirs));
    TRY(gf_close(g));
    free(w); free(a); free(b); free(n); free(values); free(image);
    return 0;
}
