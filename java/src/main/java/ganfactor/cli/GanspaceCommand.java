package ganfactor.cli;

import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.linalg.TorchLinalg;
import ganfactor.method.GanSpace;
import ganfactor.pipeline.GanSpaceSolver;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Solver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ganspace", description = {
        "GANSpace: PCA of w = mapping(z) over N samples, z = RandomState(seed).randn(N, d).",
        "Writes directions.npy [k, d] float32, eigenvalues.npy [k] (variances), stds.npy [k], mean.npy [d] and ganspace.json into --out."})
final class GanspaceCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "demo", description = "demo (built-in), stylegan2:RES[:options] (random StyleGAN2), StyleGAN2 weights (.safetensors, torch.save .pt; FILE#key=..,clamp=..) or a TorchScript generator file with mapping(z) (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--samples", defaultValue = "" + GanSpace.DEFAULT_SAMPLES, description = "number of samples N (default: ${DEFAULT-VALUE}; the reference uses 300000)")
    int samples;

    @Option(names = "--batch", defaultValue = "" + GanSpace.DEFAULT_BATCH, description = "samples per mapping pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seed", defaultValue = "" + GanSpace.DEFAULT_SEED, description = "seed for z, as NumPy's RandomState (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--k", defaultValue = "0", description = "number of components (0 = min(80, d))")
    int k;

    @Option(names = "--precision", defaultValue = "float32", converter = Converters.Precision.class, description = "mapping precision: float32 or float64 (statistics are float64 either way; default: ${DEFAULT-VALUE})")
    org.bytedeco.pytorch.global.torch.ScalarType precision;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0 = all cores)")
    int threads;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @picocli.CommandLine.Mixin PictureOptions pictures;

    @picocli.CommandLine.Mixin DeviceOption device;

    @picocli.CommandLine.Mixin OutputOptions output;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        ganfactor.Engine.init(threads);
        ganfactor.torch.ComputeDevice dev = device.device();
        Generator g = Generator.open(model).to(precision);
        g.to(dev);
        GanSpace.Options o = new GanSpace.Options();
        o.samples = samples;
        o.batch = batch;
        o.seed = seed;
        o.k = k;
        o.progress = TerminalProgress.auto(quiet);
        GanSpace.check(g, o);   // before the output folder exists
        GanSpaceSolver solver = new GanSpaceSolver(o, ganfactor.linalg.Linalg.forDevice(dev, TorchLinalg.INSTANCE));
        try (OutputDir dir = output.open("ganfactor ganspace")) {
            solver.solve(Solver.Problem.global(g, Main.CANCEL));
            GanSpace.Result res = solver.last();
            res.write(dir, "", false);
            // GANSpace reference: w +/- sigma * std_i * v_i with sigma up to 2, here over all layers
            Map<String, Object> pics = pictures.render(g, res.directions(), dir, "ganspace", ganfactor.edit.Editor.linspace(-2, 2, 5), null, res.stds());
            var dirs = res.directions();
            RunRecord rec = RunRecord.of("ganfactor ganspace");
            rec.generator(g);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("samples", samples);
            p.put("batch", batch);
            p.put("seed", seed);
            p.put("k", dirs.count());
            rec.put("parameters", p);
            rec.put("result", dirs.info());
            rec.put("pictures", pics);
            rec.put("files", SefaCommand.ordered("directions.npy", "[" + dirs.count() + ", " + dirs.dim() + "] float32, unit rows, descending variance",
                    "eigenvalues.npy", "[" + dirs.count() + "] float64, variances",
                    "stds.npy", "[" + dirs.count() + "] float64, sqrt of the variances",
                    "mean.npy", "[" + dirs.dim() + "] float64, mean w"));
            rec.put("sign", "each row's entry of largest magnitude is positive");
            rec.put("seconds_total", (System.nanoTime() - t0) / 1e9);
            dir.writeString("ganspace.json", rec.json());
            dir.commit();
            System.out.printf("ganspace: %d components of d = %d from %d samples; top variances %s, %.1f%% of the total%n",
                    dirs.count(), dirs.dim(), samples, SefaCommand.top(dirs.values(), 5), 100 * (double) dirs.info().get("explained_variance_ratio"));
            for (String w : dirs.warnings()) System.out.println("warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }
}
