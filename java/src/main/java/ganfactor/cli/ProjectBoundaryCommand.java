package ganfactor.cli;

import ganfactor.pipeline.BoundaryJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "project-boundary", header = "Make an InterFaceGAN conditional boundary: the primal with the condition boundaries removed.", description = {
        "InterFaceGAN's conditional boundary: removes the condition boundaries from the primal, n' = n - C^T (C C^T)^-1 C n, renormalised,",
        "so that editing along n' leaves the conditioned attributes' projections unchanged. Writes --out as [1, d] float64."})
final class ProjectBoundaryCommand implements Callable<Integer> {
    @Option(names = "--primal", required = true, description = "the boundary to edit along, [1, d] .npy")
    Path primal;
    @Option(names = "--condition", required = true, description = "a boundary to keep fixed, [1, d] .npy; repeat for several")
    List<Path> conditions;
    @Option(names = "--out", required = true, description = "the conditional boundary file to write (.npy)")
    Path out;
    @Option(names = "--force", description = "replace an existing --out file (never one of the inputs)")
    boolean force;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        BoundaryJob.project(primal, conditions, out, force, CommandInputs.of(spec)).forEach(System.out::println);
        System.out.println("wrote " + out.toAbsolutePath().normalize());
        return 0;
    }
}
