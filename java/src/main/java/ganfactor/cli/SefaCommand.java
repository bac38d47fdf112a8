package ganfactor.cli;

import ganfactor.Engine;
import ganfactor.generator.Generator;
import ganfactor.io.OutputDir;
import ganfactor.linalg.TorchLinalg;
import ganfactor.method.Directions;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.SeFaSolver;
import ganfactor.pipeline.Solver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sefa", description = {
        "SeFa (closed-form factorisation): eigenvectors of W W^T, W = the selected style affines with unit columns.",
        "Writes directions.npy [k, d] float32, eigenvalues.npy [k] float64 and sefa.json into --out."})
final class SefaCommand implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "demo", description = "demo (built-in), stylegan2:RES[:options] (random StyleGAN2), StyleGAN2 weights (.safetensors, torch.save .pt; FILE#key=..,clamp=..) or a TorchScript generator file with style_affines() (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--layers", defaultValue = "all", description = "style affines to factorise: all, 0-3, 0,2,5-6 (default: ${DEFAULT-VALUE})")
    String layers;

    @Option(names = "--k", defaultValue = "0", description = "number of directions (0 = all d)")
    int k;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0 = all cores)")
    int threads;

    @picocli.CommandLine.Mixin PictureOptions pictures;

    @picocli.CommandLine.Mixin DeviceOption device;

    @picocli.CommandLine.Mixin OutputOptions output;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        Engine.init(threads);
        ganfactor.torch.ComputeDevice dev = device.device();
        Generator g = Generator.open(model).to(dev);
        SeFaSolver solver = new SeFaSolver(layers, k, ganfactor.linalg.Linalg.forDevice(dev, TorchLinalg.INSTANCE));
        Directions dirs = solver.solve(Solver.Problem.global(g, Main.CANCEL));
        try (OutputDir dir = output.open("ganfactor sefa")) {
            dirs.write(dir, "", false);
            // SeFa reference: linspace(-3, 3, 11) on the factorised layers, psi 0.7 on 8 layers
            Map<String, Object> pics = pictures.render(g, dirs, dir, "sefa", ganfactor.edit.Editor.linspace(-3, 3, 11), (int[]) dirs.info().get("layers"), null);
            RunRecord rec = RunRecord.of("ganfactor sefa");
            rec.generator(g);
            rec.put("parameters", ordered("layers", layers, "k", dirs.count()));
            rec.put("result", dirs.info());
            rec.put("pictures", pics);
            rec.put("files", ordered("directions.npy", "[" + dirs.count() + ", " + dirs.dim() + "] float32, unit rows, descending eigenvalue",
                    "eigenvalues.npy", "[" + dirs.count() + "] float64"));
            rec.put("sign", "each row's entry of largest magnitude is positive");
            rec.put("seconds_total", (System.nanoTime() - t0) / 1e9);
            dir.writeString("sefa.json", rec.json());
            dir.commit();
            System.out.printf("sefa: %d directions of d = %d from %s layer(s) %s (sum C = %s); top eigenvalues %s%n",
                    dirs.count(), dirs.dim(), ((int[]) dirs.info().get("layers")).length, layers, dirs.info().get("sum_channels"), top(dirs.values(), 5));
            for (String w : dirs.warnings()) System.out.println("warning: " + w);
            System.out.println("wrote " + dir.target());
        }
        return 0;
    }

    /** A map in the order given (the JSON record stays readable and stable). */
    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static String top(double[] v, int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, v.length); i++) sb.append(i == 0 ? "" : ", ").append(String.format("%.4g", v[i]));
        return sb.append(v.length > n ? ", ...]" : "]").toString();
    }
}
