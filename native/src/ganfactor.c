/*
 * ganfactor C API over the JNI invocation API (see ganfactor.h for the contract).
 *
 * Every call: check the C arguments (no JVM needed for that), make sure the JVM runs and this
 * thread is attached, push a JNI local frame, wrap caller buffers as direct ByteBuffers (no
 * copies), call one static method of ganfactor.embed.NativeApi (which catches every Throwable
 * and returns a status), pop the frame. A Java exception that still escapes (it should not) is
 * cleared here and reported as GF_ERR_JVM.
 */
#include "ganfactor.h"

#include <jni.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gf_generator {
    jlong id;
    gf_generator_info info;
};

struct gf_directions {
    jlong id;
    size_t count, dim;
    char *warnings; /* the solve's warnings, one per line; "" when none (owned by the handle) */
};

static _Thread_local char last_error[4096];

static pthread_mutex_t jvm_lock = PTHREAD_MUTEX_INITIALIZER;
static JavaVM *jvm;
static int jvm_state;   /* 0 not started, 1 ready, 2 shut down, 3 failed to start (cannot be retried) */
static char start_failure[sizeof last_error]; /* why, for state 3 */
static int jvm_created; /* 1 when this library created the JVM (0: attached to the host's) */
static jclass api;
static jmethodID m_last_error, m_open, m_close, m_dim, m_seed, m_grams, m_solve, m_copy, m_free, m_edit, m_warnings;

static gf_status fail(gf_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

const char *gf_last_error(void) { return last_error; }

/* ---- JVM ------------------------------------------------------------------------------------ */

static char *read_class_path_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (n < cap - 1) break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = 0;
    return buf;
}

static gf_status find_api(JNIEnv *env) {
    jclass c = (*env)->FindClass(env, "ganfactor/embed/NativeApi");
    if (!c) {
        (*env)->ExceptionClear(env);
        return fail(GF_ERR_JVM, "class ganfactor.embed.NativeApi not found: is ganfactor (java/target/ganfactor.jar and java/target/lib/*) on the class path?");
    }
    api = (*env)->NewGlobalRef(env, c);
    (*env)->DeleteLocalRef(env, c);
    struct { jmethodID *id; const char *name, *sig; } ms[] = {
        {&m_last_error, "lastError", "()Ljava/lang/String;"},
        {&m_open, "open", "(Ljava/lang/String;[J[I)I"},
        {&m_close, "close", "(J)I"},
        {&m_dim, "dim", "(JI[I)I"},
        {&m_seed, "latentFromSeed", "(JIJLjava/nio/ByteBuffer;)I"},
        {&m_grams, "grams", "(JILjava/nio/ByteBuffer;Ljava/lang/String;IILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;[J)I"},
        {&m_solve, "solve", "(ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;IILjava/lang/String;DDD[J[I)I"},
        {&m_copy, "directionsCopy", "(JLjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)I"},
        {&m_free, "directionsFree", "(J)I"},
        {&m_warnings, "directionsWarnings", "(J[Ljava/lang/String;)I"},
        {&m_edit, "edit", "(JILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;D[ILjava/nio/ByteBuffer;Ljava/nio/ByteBuffer;)I"},
    };
    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        *ms[i].id = (*env)->GetStaticMethodID(env, api, ms[i].name, ms[i].sig);
        if (!*ms[i].id) {
            (*env)->ExceptionClear(env);
            return fail(GF_ERR_JVM, "ganfactor.embed.NativeApi.%s%s not found: the jar does not match this library", ms[i].name, ms[i].sig);
        }
    }
    return GF_OK;
}

/* Called with jvm_lock held. */
static gf_status start_locked(const char *class_path, const char *const *options, int num_options) {
    if (jvm_state == 1) return GF_OK;
    if (jvm_state == 2) return fail(GF_ERR_JVM, "the JVM was shut down (gf_shutdown); it cannot be started again in this process");
    if (jvm_state == 3)
        return fail(GF_ERR_JVM, "the JVM failed to start earlier in this process, and a JVM cannot be started twice in one process: %s", start_failure);
    if (num_options < 0 || (num_options > 0 && !options)) return fail(GF_ERR_NULL_ARG, "options is NULL but num_options is %d", num_options);
    JNIEnv *env = NULL;
    JavaVM *vms[1];
    jsize found = 0;
    if (JNI_GetCreatedJavaVMs(vms, 1, &found) == JNI_OK && found > 0) {
        jvm = vms[0];
        jint r = (*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8);
        if (r == JNI_EDETACHED) r = (*jvm)->AttachCurrentThreadAsDaemon(jvm, (void **)&env, NULL);
        if (r != JNI_OK) return fail(GF_ERR_JVM, "could not attach to the running JVM (JNI error %d)", (int)r);
        jvm_created = 0;
    } else {
        const char *cp = class_path ? class_path : getenv("GANFACTOR_CLASSPATH");
        if (!cp || !*cp) return fail(GF_ERR_JVM, "no class path: pass one to gf_init or set GANFACTOR_CLASSPATH (a class path or @FILE)");
        char *from_file = NULL;
        if (cp[0] == '@') {
            from_file = read_class_path_file(cp + 1);
            if (!from_file) return fail(GF_ERR_JVM, "cannot read the class path file %s", cp + 1);
            cp = from_file;
        }
        size_t n = strlen(cp) + 32;
        char *cp_option = malloc(n);
        JavaVMOption *opts = calloc((size_t)num_options + 2, sizeof *opts);
        if (!cp_option || !opts) {
            free(cp_option); free(opts); free(from_file);
            return fail(GF_ERR_JVM, "out of memory");
        }
        snprintf(cp_option, n, "-Djava.class.path=%s", cp);
        int k = 0;
        opts[k++].optionString = cp_option;
        opts[k++].optionString = "-Xrs"; /* leave SIGINT, SIGTERM, SIGQUIT to the host */
        for (int i = 0; i < num_options; i++) opts[k++].optionString = (char *)options[i];
        JavaVMInitArgs args;
        args.version = JNI_VERSION_1_8;
        args.nOptions = k;
        args.options = opts;
        args.ignoreUnrecognized = JNI_FALSE;
        jint r = JNI_CreateJavaVM(&jvm, (void **)&env, &args);
        free(cp_option); free(opts); free(from_file);
        if (r != JNI_OK) {
            jvm = NULL;
            gf_status f = fail(GF_ERR_JVM, "JNI_CreateJavaVM failed (JNI error %d%s)", (int)r,
                               r == JNI_EINVAL ? ": an unrecognised JVM option" : r == JNI_ENOMEM ? ": out of memory" : "");
            snprintf(start_failure, sizeof start_failure, "%s", last_error);
            jvm_state = 3;
            return f;
        }
        jvm_created = 1;
    }
    gf_status s = find_api(env);
    if (s != GF_OK) {
        if (jvm_created) { /* this JVM runs with a class path that lacks ganfactor, for good */
            snprintf(start_failure, sizeof start_failure, "%s", last_error);
            jvm_state = 3;
        }
        return s;
    }
    jvm_state = 1;
    return GF_OK;
}

gf_status gf_init(const char *class_path, const char *const *options, int num_options) {
    pthread_mutex_lock(&jvm_lock);
    gf_status s = start_locked(class_path, options, num_options);
    pthread_mutex_unlock(&jvm_lock);
    return s;
}

gf_status gf_shutdown(void) {
    pthread_mutex_lock(&jvm_lock);
    gf_status s = GF_OK;
    if (jvm_state == 1) {
        JNIEnv *env = NULL;
        jint r = (*jvm)->GetEnv(jvm, (void **)&env, JNI_VERSION_1_8);
        if (r == JNI_EDETACHED) r = (*jvm)->AttachCurrentThread(jvm, (void **)&env, NULL);
        if (r == JNI_OK) (*env)->DeleteGlobalRef(env, api);
        api = NULL;
        if (jvm_created && (*jvm)->DestroyJavaVM(jvm) != JNI_OK) s = fail(GF_ERR_JVM, "DestroyJavaVM failed");
        jvm = NULL;
    }
    jvm_state = 2;
    pthread_mutex_unlock(&jvm_lock);
    return s;
}

gf_status gf_detach_thread(void) {
    pthread_mutex_lock(&jvm_lock);
    JavaVM *vm = jvm_state == 1 ? jvm : NULL;
    pthread_mutex_unlock(&jvm_lock);
    if (!vm) return GF_OK;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) == JNI_EDETACHED) return GF_OK;
    return (*vm)->DetachCurrentThread(vm) == JNI_OK ? GF_OK : fail(GF_ERR_JVM, "DetachCurrentThread failed");
}

/* Starts the JVM if needed, attaches this thread, pushes a local frame. */
static gf_status enter(JNIEnv **out) {
    pthread_mutex_lock(&jvm_lock);
    gf_status s = start_locked(NULL, NULL, 0);
    JavaVM *vm = jvm;
    pthread_mutex_unlock(&jvm_lock);
    if (s != GF_OK) return s;
    JNIEnv *env = NULL;
    jint r = (*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8);
    if (r == JNI_EDETACHED) r = (*vm)->AttachCurrentThreadAsDaemon(vm, (void **)&env, NULL);
    if (r != JNI_OK) return fail(GF_ERR_JVM, "could not attach this thread to the JVM (JNI error %d)", (int)r);
    if ((*env)->PushLocalFrame(env, 32) != 0) {
        (*env)->ExceptionClear(env);
        return fail(GF_ERR_JVM, "PushLocalFrame failed (out of memory in the JVM)");
    }
    *out = env;
    return GF_OK;
}

/* Turns the Java status into a gf_status (with the Java message), pops the local frame. */
static gf_status leave(JNIEnv *env, jint status) {
    gf_status s = (gf_status)status;
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionDescribe(env);
        (*env)->ExceptionClear(env);
        s = fail(GF_ERR_JVM, "a Java exception escaped ganfactor.embed.NativeApi (described on stderr)");
    } else if (s != GF_OK) {
        jstring msg = (jstring)(*env)->CallStaticObjectMethod(env, api, m_last_error);
        const char *c = msg ? (*env)->GetStringUTFChars(env, msg, NULL) : NULL;
        if (c) {
            fail(s, "%s", c);
            (*env)->ReleaseStringUTFChars(env, msg, c);
        } else {
            (*env)->ExceptionClear(env);
            fail(s, "error %d (no message)", (int)s);
        }
    }
    (*env)->PopLocalFrame(env, NULL);
    return s;
}

/* A direct ByteBuffer over caller memory (NULL for a NULL pointer); *bad set when it cannot be made. */
static jobject wrap(JNIEnv *env, const void *p, size_t count, size_t size, int *bad) {
    if (!p) return NULL;
    if (count > (size_t)0x7fffffff / size) {
        *bad = fail(GF_ERR_SIZE, "a buffer of %zu elements is over the 2 GiB a Java buffer can address", count);
        return NULL;
    }
    jobject b = (*env)->NewDirectByteBuffer(env, (void *)p, (jlong)(count * size));
    if (!b) {
        (*env)->ExceptionClear(env);
        *bad = fail(GF_ERR_JVM, "NewDirectByteBuffer failed (direct buffer access unsupported by this JVM?)");
    }
    return b;
}

static gf_status abort_call(JNIEnv *env, gf_status s) {
    (*env)->PopLocalFrame(env, NULL);
    return s;
}

#define REQUIRE(p) do { if (!(p)) return fail(GF_ERR_NULL_ARG, "%s: %s is NULL", __func__, #p); } while (0)

/* ---- generators ----------------------------------------------------------------------------- */

gf_status gf_open(const char *model, gf_generator **out) {
    REQUIRE(out);
    *out = NULL;
    REQUIRE(model);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    jstring jm = (*env)->NewStringUTF(env, model);
    jlongArray h = (*env)->NewLongArray(env, 1);
    jintArray shape = (*env)->NewIntArray(env, 5);
    if (!jm || !h || !shape) {
        (*env)->ExceptionClear(env);
        return abort_call(env, fail(GF_ERR_JVM, "out of memory in the JVM"));
    }
    jint st = (*env)->CallStaticIntMethod(env, api, m_open, jm, h, shape);
    jlong id = 0;
    jint sh[5] = {0};
    if (st == 0 && !(*env)->ExceptionCheck(env)) {
        (*env)->GetLongArrayRegion(env, h, 0, 1, &id);
        (*env)->GetIntArrayRegion(env, shape, 0, 5, sh);
    }
    s = leave(env, st);
    if (s != GF_OK) return s;
    gf_generator *g = malloc(sizeof *g);
    if (!g) {
        if (enter(&env) == GF_OK) leave(env, (*env)->CallStaticIntMethod(env, api, m_close, id));
        return fail(GF_ERR_ENGINE, "out of memory");
    }
    g->id = id;
    g->info.latent_dim = sh[0];
    g->info.num_layers = sh[1];
    g->info.channels = sh[2];
    g->info.height = sh[3];
    g->info.width = sh[4];
    *out = g;
    return GF_OK;
}

gf_status gf_generator_get_info(const gf_generator *g, gf_generator_info *out) {
    REQUIRE(g);
    REQUIRE(out);
    *out = g->info;
    return GF_OK;
}

gf_status gf_latent_dim(const gf_generator *g, gf_space space, size_t *out) {
    REQUIRE(g);
    REQUIRE(out);
    switch (space) {
    case GF_SPACE_Z:
    case GF_SPACE_W: *out = (size_t)g->info.latent_dim; return GF_OK;
    case GF_SPACE_WP: *out = (size_t)g->info.latent_dim * (size_t)g->info.num_layers; return GF_OK;
    default: return fail(GF_ERR_INVALID_ARG, "unknown latent space %d (0 z, 1 w, 2 wp)", (int)space);
    }
}

gf_status gf_close(gf_generator *g) {
    REQUIRE(g);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    s = leave(env, (*env)->CallStaticIntMethod(env, api, m_close, g->id));
    free(g);
    return s;
}

gf_status gf_latent_from_seed(gf_generator *g, gf_space space, uint32_t seed, double *code, size_t code_len) {
    REQUIRE(g);
    REQUIRE(code);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    int bad = 0;
    jobject out = wrap(env, code, code_len, sizeof(double), &bad);
    if (bad) return abort_call(env, (gf_status)bad);
    return leave(env, (*env)->CallStaticIntMethod(env, api, m_seed, g->id, (jint)space, (jlong)seed, out));
}

gf_status gf_grams(gf_generator *g, gf_space space, const double *code, size_t code_len,
                   const char *region, int grid, gf_reduce reduce,
                   double *a, double *b, size_t gram_len, int64_t *inside, int64_t *outside) {
    REQUIRE(g);
    REQUIRE(code);
    REQUIRE(region);
    REQUIRE(a);
    REQUIRE(b);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    int bad = 0;
    jobject jc = wrap(env, code, code_len, sizeof(double), &bad);
    jobject ja = bad ? NULL : wrap(env, a, gram_len, sizeof(double), &bad);
    jobject jb = bad ? NULL : wrap(env, b, gram_len, sizeof(double), &bad);
    if (bad) return abort_call(env, (gf_status)bad);
    jstring jr = (*env)->NewStringUTF(env, region);
    jlongArray counts = (*env)->NewLongArray(env, 2);
    if (!jr || !counts) {
        (*env)->ExceptionClear(env);
        return abort_call(env, fail(GF_ERR_JVM, "out of memory in the JVM"));
    }
    jint st = (*env)->CallStaticIntMethod(env, api, m_grams, g->id, (jint)space, jc, jr, (jint)grid, (jint)reduce, ja, jb, counts);
    if (st == 0 && !(*env)->ExceptionCheck(env)) {
        jlong c[2];
        (*env)->GetLongArrayRegion(env, counts, 0, 2, c);
        if (inside) *inside = c[0];
        if (outside) *outside = c[1];
    }
    return leave(env, st);
}

/* ---- solves --------------------------------------------------------------------------------- */

void gf_solve_options_init(gf_solve_options *o) {
    if (!o) return;
    o->struct_size = sizeof *o;
    o->method = GF_METHOD_RESEFA;
    o->k = 0;
    o->regularization = "none";
    o->eps = 1e-3;
    o->tau = 1e-3;
    o->rpca_lambda = 0;
}

gf_status gf_solve(const double *a, const double *b, size_t d, size_t gram_len,
                   const gf_solve_options *options, gf_directions **out) {
    REQUIRE(out);
    *out = NULL;
    REQUIRE(a);
    REQUIRE(b);
    gf_solve_options o;
    gf_solve_options_init(&o);
    if (options) {
        if (options->struct_size < sizeof o)
            return fail(GF_ERR_INVALID_ARG, "gf_solve: options were not initialised with gf_solve_options_init");
        o = *options;
    }
    if (d == 0 || d > 0x7fffffff) return fail(GF_ERR_SIZE, "gf_solve: dimension %zu out of range", d);
    if (gram_len != d * d) return fail(GF_ERR_SIZE, "gf_solve: gram_len is %zu, a %zu x %zu Gram has %zu values", gram_len, d, d, d * d);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    int bad = 0;
    jobject ja = wrap(env, a, gram_len, sizeof(double), &bad);
    jobject jb = bad ? NULL : wrap(env, b, gram_len, sizeof(double), &bad);
    if (bad) return abort_call(env, (gf_status)bad);
    jstring reg = (*env)->NewStringUTF(env, o.regularization ? o.regularization : "none");
    jlongArray h = (*env)->NewLongArray(env, 1);
    jintArray shape = (*env)->NewIntArray(env, 2);
    if (!reg || !h || !shape) {
        (*env)->ExceptionClear(env);
        return abort_call(env, fail(GF_ERR_JVM, "out of memory in the JVM"));
    }
    jint st = (*env)->CallStaticIntMethod(env, api, m_solve, (jint)o.method, ja, jb, (jint)d, (jint)o.k, reg, o.eps, o.tau, o.rpca_lambda, h, shape);
    jlong id = 0;
    jint sh[2] = {0};
    if (st == 0 && !(*env)->ExceptionCheck(env)) {
        (*env)->GetLongArrayRegion(env, h, 0, 1, &id);
        (*env)->GetIntArrayRegion(env, shape, 0, 2, sh);
    }
    s = leave(env, st);
    if (s != GF_OK) return s;
    gf_directions *dirs = malloc(sizeof *dirs);
    if (!dirs) {
        if (enter(&env) == GF_OK) leave(env, (*env)->CallStaticIntMethod(env, api, m_free, id));
        return fail(GF_ERR_ENGINE, "out of memory");
    }
    dirs->id = id;
    dirs->count = (size_t)sh[0];
    dirs->dim = (size_t)sh[1];
    dirs->warnings = NULL;
    /* the warnings are read once, now, so that gf_directions_warnings needs no JVM call */
    if ((s = enter(&env)) == GF_OK) {
        jclass string_class = (*env)->FindClass(env, "java/lang/String");
        jobjectArray text = string_class ? (*env)->NewObjectArray(env, 1, string_class, NULL) : NULL;
        if (!text) {
            (*env)->ExceptionClear(env);
            s = abort_call(env, fail(GF_ERR_JVM, "out of memory in the JVM"));
        } else {
            jint st2 = (*env)->CallStaticIntMethod(env, api, m_warnings, id, text);
            if (st2 == 0 && !(*env)->ExceptionCheck(env)) {
                jstring w = (jstring)(*env)->GetObjectArrayElement(env, text, 0);
                const char *c = w ? (*env)->GetStringUTFChars(env, w, NULL) : NULL;
                dirs->warnings = strdup(c ? c : "");
                if (c) (*env)->ReleaseStringUTFChars(env, w, c);
            }
            s = leave(env, st2);
        }
    }
    if (s != GF_OK || !dirs->warnings) {
        if (s == GF_OK) s = fail(GF_ERR_ENGINE, "out of memory");
        gf_directions_free(dirs);
        return s;
    }
    *out = dirs;
    return GF_OK;
}

gf_status gf_directions_warnings(const gf_directions *dirs, const char **out) {
    REQUIRE(dirs);
    REQUIRE(out);
    *out = dirs->warnings ? dirs->warnings : "";
    return GF_OK;
}

gf_status gf_directions_shape(const gf_directions *dirs, size_t *count, size_t *dim) {
    REQUIRE(dirs);
    if (count) *count = dirs->count;
    if (dim) *dim = dirs->dim;
    return GF_OK;
}

gf_status gf_directions_copy(const gf_directions *dirs, double *vectors, size_t vectors_len,
                             double *values, size_t values_len) {
    REQUIRE(dirs);
    REQUIRE(vectors);
    if (vectors_len != dirs->count * dirs->dim)
        return fail(GF_ERR_SIZE, "gf_directions_copy: vectors_len is %zu, %zu directions of %zu need %zu", vectors_len, dirs->count, dirs->dim, dirs->count * dirs->dim);
    if (values && values_len != dirs->count)
        return fail(GF_ERR_SIZE, "gf_directions_copy: values_len is %zu, there are %zu values", values_len, dirs->count);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    int bad = 0;
    jobject jv = wrap(env, vectors, vectors_len, sizeof(double), &bad);
    jobject jw = bad ? NULL : wrap(env, values, values_len, sizeof(double), &bad);
    if (bad) return abort_call(env, (gf_status)bad);
    return leave(env, (*env)->CallStaticIntMethod(env, api, m_copy, dirs->id, jv, jw));
}

gf_status gf_directions_free(gf_directions *dirs) {
    REQUIRE(dirs);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    s = leave(env, (*env)->CallStaticIntMethod(env, api, m_free, dirs->id));
    free(dirs->warnings);
    free(dirs);
    return s;
}

/* ---- edits ---------------------------------------------------------------------------------- */

gf_status gf_edit(gf_generator *g, gf_space space, const double *code, size_t code_len,
                  const double *direction, size_t direction_len, double strength,
                  const int *layers, int num_layers,
                  double *out_code, size_t out_code_len, float *out_image, size_t out_image_len) {
    REQUIRE(g);
    REQUIRE(code);
    REQUIRE(direction);
    if (num_layers < 0) return fail(GF_ERR_INVALID_ARG, "gf_edit: num_layers is %d; it must be >= 0 (0: every layer)", num_layers);
    if (num_layers > 0 && !layers) return fail(GF_ERR_NULL_ARG, "gf_edit: layers is NULL but num_layers is %d", num_layers);
    JNIEnv *env;
    gf_status s = enter(&env);
    if (s != GF_OK) return s;
    int bad = 0;
    jobject jc = wrap(env, code, code_len, sizeof(double), &bad);
    jobject jd = bad ? NULL : wrap(env, direction, direction_len, sizeof(double), &bad);
    jobject joc = bad ? NULL : wrap(env, out_code, out_code_len, sizeof(double), &bad);
    jobject joi = bad ? NULL : wrap(env, out_image, out_image_len, sizeof(float), &bad);
    if (bad) return abort_call(env, (gf_status)bad);
    jintArray jl = NULL;
    if (num_layers > 0) {
        jl = (*env)->NewIntArray(env, num_layers);
        if (!jl) {
            (*env)->ExceptionClear(env);
            return abort_call(env, fail(GF_ERR_JVM, "out of memory in the JVM"));
        }
        (*env)->SetIntArrayRegion(env, jl, 0, num_layers, (const jint *)layers);
    }
    return leave(env, (*env)->CallStaticIntMethod(env, api, m_edit, g->id, (jint)space, jc, jd, strength, jl, joc, joi));
}
