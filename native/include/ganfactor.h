/*
 * ganfactor C API: region directions of GANs (ReSeFa, LowRankGAN) from C and C++.
 *
 * The engine is Java (LibTorch through JavaCPP); this library starts a JVM in the calling
 * process through the JNI invocation API, or attaches to the one already running, and calls
 * ganfactor.embed.NativeApi. Nothing but plain C crosses this boundary: opaque handles, status
 * codes and caller-owned buffers. No Java or C++ exception ever reaches the caller.
 *
 * ERRORS. Every function returns a gf_status; GF_OK is 0. On failure gf_last_error() returns a
 * message for the calling thread, valid until that thread's next gf_ call.
 *
 * OWNERSHIP. Handles (gf_generator, gf_directions) are created by gf_open / gf_solve and owned
 * by the caller until gf_close / gf_directions_free; closing twice or using a closed handle is
 * undefined (as free()). Every buffer is owned by the caller: the library reads inputs and writes
 * outputs in place (the JVM sees them as direct ByteBuffers, no JNI array copies) and keeps no
 * pointer after the call returns. Every buffer comes with its length in elements (not bytes),
 * which must equal what the call needs, or it fails with GF_ERR_SIZE.
 *
 * THREADING. Any thread may call any function; a thread is attached to the JVM on its first call
 * and stays attached until gf_detach_thread() (call it before a thread that used the API exits).
 * One generator handle must not be used by two threads at the same time; different handles may.
 * gf_last_error() is per thread.
 *
 * JVM. The first call that needs Java starts the JVM with gf_init's class path, or, when gf_init
 * was not called, with the environment variable GANFACTOR_CLASSPATH (a class path, or @FILE for a
 * file holding one). If the process already runs a JVM, the library attaches to it and expects
 * ganfactor on its system class path. The JVM lives until gf_shutdown(), which destroys it; a JVM
 * cannot be started again in the same process, so call gf_shutdown only at exit (or never).
 */
#ifndef GANFACTOR_H
#define GANFACTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GF_API_VERSION 1

typedef enum gf_status {
    GF_OK = 0,
    GF_ERR_NULL_ARG = 1,   /* a required pointer or handle is NULL */
    GF_ERR_INVALID_ARG = 2, /* an argument out of range (space, method, grid, strength...) */
    GF_ERR_SIZE = 3,       /* a buffer length differs from what the call needs */
    GF_ERR_INPUT = 4,      /* the engine rejected an input: missing or bad file, unknown region, invalid Grams */
    GF_ERR_HANDLE = 5,     /* the handle is not (or no longer) known to the engine */
    GF_ERR_ENGINE = 6,     /* an unexpected failure inside the engine */
    GF_ERR_JVM = 7         /* the JVM could not be started, attached or reached */
} gf_status;

typedef enum gf_space { GF_SPACE_Z = 0, GF_SPACE_W = 1, GF_SPACE_WP = 2 } gf_space;
typedef enum gf_reduce { GF_REDUCE_SUM = 0, GF_REDUCE_MEAN = 1, GF_REDUCE_NONE = 2 } gf_reduce;
typedef enum gf_method { GF_METHOD_RESEFA = 0, GF_METHOD_LOWRANKGAN = 1 } gf_method;

typedef struct gf_generator gf_generator;   /* opaque */
typedef struct gf_directions gf_directions; /* opaque */

typedef struct gf_generator_info {
    int latent_dim; /* d */
    int num_layers; /* L */
    int channels, height, width; /* output image [C, H, W] */
} gf_generator_info;

/* Solve options. Always initialise with gf_solve_options_init; fields are only ever appended. */
typedef struct gf_solve_options {
    size_t struct_size;         /* set by gf_solve_options_init */
    gf_method method;           /* default GF_METHOD_RESEFA */
    int k;                      /* directions kept, 0 = all (default) */
    const char *regularization; /* ReSeFa: "none" (default, falls back to "paper" when B is singular), "paper", "reference" */
    double eps;                 /* ReSeFa paper form B + eps tr(B)/d I, default 1e-3 */
    double tau;                 /* ReSeFa reference form B + tau tr(B) I, default 1e-3 */
    double rpca_lambda;         /* LowRankGAN RPCA sparsity weight, 0 = auto: the reference's 1/60 from d = 512
                                   (what it was tuned for), 1/sqrt(d) below (the demo: 1/8) */
} gf_solve_options;

/* The message of this thread's last failure ("" if none). Never NULL; owned by the library. */
const char *gf_last_error(void);

/* Optional: start (or attach to) the JVM now. class_path may be NULL (then GANFACTOR_CLASSPATH);
 * options are extra JVM options such as "-Xmx4g". Calling it again after success is a no-op. */
gf_status gf_init(const char *class_path, const char *const *options, int num_options);

/* Destroys the JVM (see JVM above). Every later call fails with GF_ERR_JVM. */
gf_status gf_shutdown(void);

/* Detaches the calling thread from the JVM (a no-op if it is not attached). */
gf_status gf_detach_thread(void);

/* Opens a generator as --model names one: "demo", "stylegan2:...", a TorchScript file or a weight file. */
gf_status gf_open(const char *model, gf_generator **out);
gf_status gf_generator_get_info(const gf_generator *g, gf_generator_info *out);
/* Coordinates of one latent code in a space: d for Z and W, L * d for W+. */
gf_status gf_latent_dim(const gf_generator *g, gf_space space, size_t *out);
/* Frees the generator now (its weights, on the host or the device) and the handle. */
gf_status gf_close(gf_generator *g);

/* The code numpy.random.RandomState(seed).randn(1, d) gives, mapped to W (broadcast to W+) as asked. */
gf_status gf_latent_from_seed(gf_generator *g, gf_space space, uint32_t seed, double *code, size_t code_len);

/* The region's Gram pair at one code: A = J_R^T J_R / |R| and B = J_R'^T J_R' / |R'| (row-major,
 * gram_len = D * D with D = gf_latent_dim). region: a preset ("eyes"), "ffhq:eyes", "mask:PART", a box
 * "cr,cc,h,w" on the 256 grid or a mask file; grid: the Jacobian view (256 as the reference).
 * inside/outside (may be NULL) receive |R| and |R'|. */
gf_status gf_grams(gf_generator *g, gf_space space, const double *code, size_t code_len,
                   const char *region, int grid, gf_reduce reduce,
                   double *a, double *b, size_t gram_len, int64_t *inside, int64_t *outside);

void gf_solve_options_init(gf_solve_options *o);
/* Directions of a Gram pair (d x d each, gram_len = d * d). options may be NULL (the defaults). */
gf_status gf_solve(const double *a, const double *b, size_t d, size_t gram_len,
                   const gf_solve_options *options, gf_directions **out);
gf_status gf_directions_shape(const gf_directions *dirs, size_t *count, size_t *dim);
/* Unit directions, row-major [count, dim], sorted by descending value; values (may be NULL) [count]. */
gf_status gf_directions_copy(const gf_directions *dirs, double *vectors, size_t vectors_len,
                             double *values, size_t values_len);
/* The solve's warnings, one per line ("" when none): for example ReSeFa's fallback to the paper's
 * regularisation when B was singular. *out is owned by the handle, valid until gf_directions_free. */
gf_status gf_directions_warnings(const gf_directions *dirs, const char **out);
gf_status gf_directions_free(gf_directions *dirs);

/* Moves one code along a direction (length d, or L * d for a W+ direction) by strength, on all
 * layers (layers NULL / num_layers 0) or the listed ones, and writes the edited W+ code [L, d]
 * (out_code_len = L * d) and the rendered image [C, H, W] float32 in [-1, 1]; either output may be NULL. */
gf_status gf_edit(gf_generator *g, gf_space space, const double *code, size_t code_len,
                  const double *direction, size_t direction_len, double strength,
                  const int *layers, int num_layers,
                  double *out_code, size_t out_code_len, float *out_image, size_t out_image_len);

#ifdef __cplusplus
}
#endif
#endif
