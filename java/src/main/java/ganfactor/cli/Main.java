package ganfactor.cli;

import ganfactor.Failure;
import ganfactor.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The ganfactor command line. One exit-code policy for every command: 0 success, 1 internal
 * failure, 2 bad input (missing or corrupt file, wrong shape, bad region...), 3 another run took
 * the output folder, 130 cancelled.
 * Errors are printed on one line; {@code --debug} adds the stack trace.
 */
@Command(name = "ganfactor", mixinStandardHelpOptions = true, version = "ganfactor " + ganfactor.Engine.VERSION,
        description = "Steerable latent directions of pretrained GANs: ReSeFa, LowRankGAN, InterFaceGAN, SeFa, GANSpace.",
        subcommands = {
                InfoCommand.class,
                ExportCommand.class,
                JacobianCommand.class,
                DiscoverCommand.class,
                SolveCommand.class,
                LocalizeCommand.class,
                EditCommand.class,
                SefaCommand.class,
                GanspaceCommand.class,
                SampleCommand.class,
                TrainBoundaryCommand.class,
                ProjectBoundaryCommand.class,
                DemoCommand.class,
                GpuCheckCommand.class,
                BenchCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_INPUT = 2;
    /** Another run took the output (it is writing or just wrote the same --out): not bad input, worth a retry. */
    public static final int EXIT_CONFLICT = 3;
    public static final int EXIT_CANCELLED = 130;

    /** Cancelled by the shutdown hook (Ctrl-C, SIGTERM); the commands pass it into the library as a token. */
    static final ganfactor.pipeline.Cancellation CANCEL = new ganfactor.pipeline.Cancellation();
    private static final CountDownLatch FINISHED = new CountDownLatch(1);
    static boolean debug;

    /** The process's cancellation token (Ctrl-C, SIGTERM), for a {@link CommandPlugin}'s command. */
    public static ganfactor.pipeline.Cancellation cancellation() {
        return CANCEL;
    }

    /**
     * The command line's run context, the one place it is built: Ctrl-C's token, the terminal's
     * progress (none with {@code --quiet}), the library's notes on stderr, and the run's trace.
     */
    static ganfactor.pipeline.RunContext context(boolean quiet, ganfactor.trace.Trace trace) {
        return new ganfactor.pipeline.RunContext(CANCEL, TerminalProgress.auto(quiet), System.err::println, trace);
    }

    /** Whether this run was given {@code --debug} (stack traces), for a {@link CommandPlugin}'s command. */
    public static boolean debug() {
        return debug;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        Thread hook = new Thread(() -> {
            CANCEL.cancel();
            try {
                FINISHED.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "ganfactor-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        int code;
        try {
            try {
                ganfactor.Engine.loadNatives();
                code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
            } catch (LinkageError e) {
                System.err.println("ganfactor: error: LibTorch's native libraries could not be loaded: " + e.getMessage());
                code = 1;
            }
        } finally {
            FINISHED.countDown();
        }
        System.exit(code);
    }

    /** The command line with every subcommand's registry options added (see {@link RegistryOptions}). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        CommandPlugin.addAll(cl);
        cl.addSubcommand(new CommandLine.HelpCommand());
        for (CommandLine sub : cl.getSubcommands().values()) {
            // every subcommand answers --help and --version, not only the top level
            sub.getCommandSpec().mixinStandardHelpOptions(true);
            // the method settings: one --NAME per registry setting, its default and help from there
            if (sub.getCommand() instanceof RegistryOptions.Offers o) RegistryOptions.add(sub.getCommandSpec(), o.registrySettings());
        }
        return cl;
    }

    /** How the command line names a setting in a library message: its flag (the registry name with two dashes). */
    public static String flag(String setting) {
        return "--" + setting;
    }

    /** A registry setting's refusal as this front end words it: the setting as its flag. */
    static String worded(ganfactor.SettingException e) {
        return e.worded(Main::flag);
    }

    /** Runs a command line in-process (the tests use this) and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        debug = java.util.Arrays.asList(args).contains("--debug");
        String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            Throwable e = ex instanceof CommandLine.ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
            if (debug) e.printStackTrace(err);
            Failure f = Failure.of(e, Main::flag);
            String trace = debug ? "" : " (run with --debug for the stack trace)";
            switch (f.kind()) {
                case INPUT, CONFLICT -> err.println("ganfactor: error: " + f.message());
                case CANCELLED -> err.println("ganfactor: " + f.message());
                case OUT_OF_MEMORY -> err.println("ganfactor: error: " + f.message() + "; lower --memory-budget or --chunk" + (e instanceof OutOfMemoryError ? "" : trace));
                case NATIVE -> err.println("ganfactor: error: " + f.message() + trace);
                case INTERNAL -> err.println("ganfactor: internal error: " + f.message() + trace);
            }
            return switch (f.kind()) {
                case INPUT -> EXIT_INPUT;
                case CONFLICT -> EXIT_CONFLICT;
                case CANCELLED -> EXIT_CANCELLED;
                default -> 1;
            };
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            String msg = ex.getMessage() == null ? "bad arguments" : ex.getMessage().replaceAll("\\s*\\R\\s*", " ").trim();
            if (ex.getCause() instanceof InputException ie) msg = ie.worded(Main::flag);
            if (debug) ex.printStackTrace(err);
            err.println("ganfactor: error: " + msg + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_INPUT;
        });
        return cl.execute(rest);
    }
}
