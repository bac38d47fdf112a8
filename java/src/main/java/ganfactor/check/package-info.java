/**
 * Self-checks that need no JUnit: the CPU-vs-GPU parity and device-residency properties, as
 * methods that throw {@link java.lang.AssertionError} on a failure and return what they measured.
 * The unit tests (CusolverParityTest, RpcaGpuParityTest, DeviceResidencyTest) and
 * {@code ganfactor gpu-check} (for a device machine that has no JUnit) run the same methods.
 */
package ganfactor.check;
