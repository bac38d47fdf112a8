/**
 * The Java side of the C API. {@link ganfactor.embed.NativeApi} is called through JNI by
 * {@code native/src/ganfactor.c} (which starts or attaches to the JVM and finds the class by name)
 * and implements {@code native/include/ganfactor.h}: open and close a generator, a latent code from
 * a seed, a region's Gram pair, a ReSeFa or LowRankGAN solve, copy, free and warnings of
 * directions, an edit. Its methods take only primitives, strings, primitive arrays and direct
 * buffers around the caller's memory, check every size, never throw, and return {@code gf_status}
 * codes with a per-thread last error; generators and directions live in handle tables.
 *
 * <p>Dependencies: the library layer only (the root, {@code edit}, {@code generator},
 * {@code jacobian}, {@code method}, {@code region}, {@code torch}, and {@code pipeline}'s solvers),
 * never {@code ganfactor.cli}. Nothing in Java imports this package:
 * its one client is {@code native/}, and its method signatures are that C code's contract.
 */
package ganfactor.embed;
