/**
 * ganfactor studio: the interactive editor in the browser. {@code Studio} is the engine of one
 * user (one generator, one worker thread through which all LibTorch work passes, each unit in a
 * PointerScope; the session's code, cached editor and directions; discovery and "make it local"
 * as cancellable {@code Job}s with the Jacobian engine's progress; exports through {@code
 * OutputDir}). {@code StudioServer} serves the page (plain HTML/CSS/JS from the jar, under
 * {@code /ganfactor/studio/web}) and the JSON API with Javalin; {@code Body} checks request
 * fields, {@code WorkFolder} keeps every client path inside the working folder, {@code Pictures}
 * makes PNGs and the change overlay. A refused request is a 4xx with a one-line JSON error and
 * changes nothing.
 *
 * <p>Dependencies: the root, {@code pipeline}, {@code generator}, {@code jacobian}, {@code method},
 * {@code edit}, {@code region}, {@code render}, {@code io}, {@code linalg}; Javalin and Jackson.
 * Only {@code ganfactor.cli.StudioCommand} imports it; it never imports {@code ganfactor.cli}.
 */
package ganfactor.studio;
