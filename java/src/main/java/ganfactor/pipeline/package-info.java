/**
 * The discovery pipeline, the library entry point every front end drives. {@code
 * Discovery.discover}, the core, takes latent codes through the Jacobian engine (every region's
 * Gram pair, plus the region rows a fast solve wants) and a {@code Solver} (per sample or on the
 * mean Gram) to the {@code Directions} of every solve, and writes nothing; {@code Discovery.write}
 * and {@code writeRecord}, the one writer of a discovery's folder, render edits over a range of
 * strengths and the report (edit grids, locality measurements and charts, the latents, the JSON
 * record) and return a {@code Report}; {@code Discovery.run} is the two in one call. The studio
 * and Spark render nothing and run the same Jacobian stage through {@code stageOptions} and
 * {@code solveRegions}. {@code Solver} is the
 * method contract ({@code name}, {@code regional}, {@code solve(Problem)}), implemented here by
 * {@code ReSeFaSolver}, {@code LowRankGanSolver}, {@code SeFaSolver} and {@code GanSpaceSolver}
 * over the algorithms of {@code ganfactor.method}; a new method is one more {@code Solver} (and a
 * name for it in each front end). Beside discovery, one job per use, each writing its files and its
 * JSON record into an output folder: {@code GramJob} (the Jacobian stage on its own),
 * {@code SolveJob} (a region method from saved Grams or Jacobians), {@code EditJob} (edits along
 * given directions or boundaries), {@code LocalEdit} (LowRankGAN's mask-free projection),
 * {@code Sampling} (InterFaceGAN's sampled and scored codes), {@code BoundaryJob} (its SVM
 * boundary), {@code Baselines} (SeFa and GANSpace runs) and {@code DemoJob}; {@code GramFiles}
 * reads Grams and saved Jacobians back, and {@code RunRecord} holds what every record shares. A
 * {@code Cancellation} token, polled between units of work, and a progress listener come in
 * through the settings: nothing reads a global flag.
 *
 * <p>Dependencies: the root, {@code generator}, {@code jacobian}, {@code method}, {@code edit},
 * {@code region}, {@code render}, {@code io}, {@code torch} and {@code linalg}. It never imports
 * {@code ganfactor.cli} or {@code ganfactor.embed}, which (with the benchmarks) depend on it; the
 * packages it builds on never import it.
 */
package ganfactor.pipeline;
