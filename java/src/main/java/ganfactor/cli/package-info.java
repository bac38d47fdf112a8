/**
 * The {@code ganfactor} command line (picocli). {@link ganfactor.cli.Main} holds the subcommands
 * ({@code info}, {@code export}, {@code jacobian}, {@code discover}, {@code solve}, {@code localize},
 * {@code edit}, {@code sefa}, {@code ganspace}, {@code sample}, {@code train-boundary},
 * {@code project-boundary}, {@code demo}) and the one exit-code policy: 0 success, 1 internal
 * failure, 2 bad input, 130 cancelled, errors on one line. Each {@code *Command} parses its flags
 * with shared option groups ({@code CommonOptions}, {@code RunOptions}, {@code JacobianOptions},
 * {@code MethodOptions}, {@code LowRank}, {@code OutputOptions}, {@code PictureOptions}), calls one
 * job of {@code ganfactor.pipeline} and prints its lines; {@code TerminalProgress} draws progress
 * on standard error, and {@code ganfactor.Failure} decides the exit code. Commands stay thin:
 * options, one call, printing.
 *
 * <p>Dependencies: the root and every library package. Nothing outside this package may import
 * {@code ganfactor.cli}: the core, {@code ganfactor.pipeline} and {@code ganfactor.embed} never do.
 * Its one public entry point is {@code Main}.
 */
package ganfactor.cli;
