package ganfactor.cli;

import ganfactor.InputException;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Mode;
import picocli.CommandLine.Option;

/** How the Jacobian is computed ({@code --jacobian-mode}, {@code --chunk}, {@code --memory-budget}), shared by jacobian and discover. */
final class JacobianOptions {
    static final int MAX_CHUNK = 4096;
    @Option(names = "--jacobian-mode", defaultValue = "forward", description = "forward (batched JVPs), double-backward, or reverse (row by row, the reference's method) (default: ${DEFAULT-VALUE})")
    String mode;
    @Option(names = "--mode", hidden = true, description = "the old name of --jacobian-mode")
    String oldMode;
    @Option(names = "--chunk", defaultValue = "0", description = "columns (rows in reverse mode) per pass, 1.." + MAX_CHUNK + "; 0 = from --memory-budget (default: ${DEFAULT-VALUE})")
    int chunk;
    @Option(names = "--memory-budget", defaultValue = "auto", converter = Converters.Budget.class, description = "memory for activations and Jacobian blocks: auto (half the host's available memory on the CPU, 80%% of the free device memory on a GPU) or a size of at least 64m, e.g. 512m, 16g (default: ${DEFAULT-VALUE})")
    long budget;

    /** Engine options from these flags (progress, cancellation, notes and trace: the run context's, {@link ganfactor.pipeline.RunContext#engine}). */
    JacobianEngine.Options engineOptions() {
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.mode = Mode.parse(oldMode != null ? oldMode : mode);
        if (chunk < 0 || chunk > MAX_CHUNK) throw new InputException("--chunk must be between 0 (automatic) and " + MAX_CHUNK + ", got " + chunk);
        o.chunk = chunk;
        o.memoryBudget = budget;
        return o;
    }
}
