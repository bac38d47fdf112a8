/**
 * Where a run's time goes, for the tools performance engineers use: {@link ganfactor.trace.Trace}
 * records nested spans (load, Jacobian passes, Gram accumulation, solves, rendering, writing) and
 * memory counters as Chrome trace-event JSON (Perfetto, chrome://tracing), and emits every span as
 * a JFR event ({@code ganfactor.Span}) whether or not a trace file is asked for, so Java Flight
 * Recorder, JDK Mission Control and async-profiler show ganfactor's stages beside the JVM's.
 */
package ganfactor.trace;
