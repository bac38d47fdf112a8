/**
 * The {@code ganfactor} command line (picocli). {@link ganfactor.cli.Main} holds the subcommands
 * ({@code info}, {@code export}, {@code jacobian}, {@code discover}, {@code solve}, {@code localize},
 * {@code edit}, {@code sefa}, {@code ganspace}, {@code sample}, {@code train-boundary},
 * {@code project-boundary}, {@code demo}) and the one exit-code policy: 0 success, 1 internal
 * failure, 2 bad input, 130 cancelled, errors on one line. Each {@code *Command} parses its flags
 * with shared option groups ({@code CommonOptions}, {@code DeviceOption}, {@code JacobianOptions},
 * {@code MethodOptions}, {@code LowRank}, {@code OutputOptions}, {@code PictureOptions}), calls the
 * library ({@code ganfactor.pipeline} for discovery) and reports; {@code TerminalProgress} draws
 * progress on standard error. Commands stay thin.
 *
 * <p>Dependencies: the root and every library package. Nothing outside this package may import
 * {@code ganfactor.cli}: the core, {@code ganfactor.pipeline} and {@code ganfactor.embed} never do.
 * Its one public entry point is {@code Main}.
 */
package ganfactor.cli;
