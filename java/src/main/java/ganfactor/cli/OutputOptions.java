package ganfactor.cli;

import ganfactor.io.Inputs;
import ganfactor.io.OutputDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code --out FOLDER [--force]}, shared by every command that writes an output folder. */
final class OutputOptions {
    @Option(names = "--out", required = true, description = "output folder (created; must be empty unless --force)")
    Path out;
    @Option(names = "--force", description = "replace an earlier ganfactor output folder; a folder holding any file ganfactor did not write is never replaced")
    boolean force;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * The staging folder for {@code command}'s results; what it cleaned or will replace is said on
     * stderr. Every file or folder the command line names (any option's or parameter's value that
     * exists on disk) counts as an input, which the folder may neither be nor hold.
     */
    OutputDir open(String command) {
        return open(out, force, command, CommandInputs.of(mixee), mixee.commandLine().getErr());
    }

    static OutputDir open(Path out, boolean force, String command, Inputs inputs, PrintWriter err) {
        OutputDir dir = new OutputDir(out, force, command, inputs);
        for (String n : dir.notices()) err.println("ganfactor: " + n);
        err.flush();
        return dir;
    }
}
