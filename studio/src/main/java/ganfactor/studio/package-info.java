/**
 * ganfactor studio: the interactive editor in the browser. {@code Studio} is the engine of one
 * user as the server and the tests call it: it wires {@code Jobs} (one worker thread through
 * which all LibTorch work passes, each unit in a PointerScope; discovery and "make it local" as
 * cancellable {@code Job}s with the Jacobian engine's progress, a watchdog for closed tabs) to the
 * {@code Session} (the code, the cached editor, the {@code DirectionStore}, the uploads, and the
 * operations on them; {@code RegionRequest} reads a request's region, {@code Export} writes the
 * CLI's files through {@code OutputDir}). {@code StudioServer} serves the page (plain HTML/CSS/JS
 * from the jar, under {@code /ganfactor/studio/web}) and the JSON API with Javalin; {@code Body}
 * checks request fields, {@code WorkFolder} keeps every client path inside the working folder,
 * {@code Pictures} makes PNGs and the change overlay. A refused request is a 4xx with a one-line
 * JSON error and changes nothing.
 *
 * <p>Dependencies: the root, {@code pipeline}, {@code generator}, {@code jacobian}, {@code method},
 * {@code edit}, {@code region}, {@code render}, {@code io}; Javalin and Jackson. The core does not
 * import it (the CLI finds {@code StudioCommand} through {@code ganfactor.cli.CommandPlugin}); only
 * {@code StudioCommand} imports {@code ganfactor.cli}.
 */
package ganfactor.studio;
