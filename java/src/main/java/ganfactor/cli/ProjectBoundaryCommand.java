package ganfactor.cli;

import ganfactor.io.BoundaryFiles;
import ganfactor.InputException;
import ganfactor.method.InterFaceGan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "project-boundary", description = {
        "InterFaceGAN's conditional boundary: removes the condition boundaries from the primal, n' = n - C^T (C C^T)^-1 C n, renormalised,",
        "so that editing along n' leaves the conditioned attributes' projections unchanged. Writes --out as [1, d] float64."})
final class ProjectBoundaryCommand implements Callable<Integer> {
    @Option(names = "--primal", required = true, description = "the boundary to edit along, [1, d] .npy")
    Path primal;
    @Option(names = "--condition", required = true, description = "a boundary to keep fixed, [1, d] .npy; repeat for several")
    List<Path> conditions;
    @Option(names = "--out", required = true, description = "the conditional boundary file to write (.npy)")
    Path out;
    @Option(names = "--force", description = "replace an existing --out file")
    boolean force;

    @Override
    public Integer call() {
        double[] n = BoundaryFiles.readBoundary(primal);
        List<double[]> cs = new ArrayList<>();
        for (Path c : conditions) {
            double[] v = BoundaryFiles.readBoundary(c);
            if (v.length != n.length)
                throw new InputException("shape mismatch: " + c + " has " + v.length + " values, the primal " + primal + " " + n.length);
            cs.add(v);
        }
        double[] p = InterFaceGan.project(n, cs);
        BoundaryFiles.writeBoundary(out, p, force);
        System.out.printf(Locale.ROOT, "%s conditioned on %d boundary(ies): cos(primal, conditional) = %.6f%n", primal.getFileName(), cs.size(),
                InterFaceGan.cosine(n, p));
        for (int i = 0; i < cs.size(); i++)
            System.out.printf(Locale.ROOT, "  %-40s cos with primal %+.6f, with conditional %+.2e%n", conditions.get(i).getFileName(),
                    InterFaceGan.cosine(n, cs.get(i)), InterFaceGan.cosine(p, cs.get(i)));
        System.out.println("wrote " + out.toAbsolutePath().normalize());
        return 0;
    }
}
