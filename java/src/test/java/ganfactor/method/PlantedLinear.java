package ganfactor.method;

import ganfactor.generator.Generator;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IntType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.Random;

/**
 * A tiny TorchScript generator with a known linear mapping w = z M + b, M = diag(sigma) Q (rows of
 * Q orthonormal): cov(w) = Q^T diag(sigma^2) Q, so the principal axes are the rows of Q with
 * variances sigma^2. It has no style_affines(); {@code withMapping = false} also drops mapping(z).
 */
public final class PlantedLinear {
    public static final double[] SIGMA = {4.0, 3.0, 2.2, 1.6, 1.1, 0.7, 0.4, 0.2};
    public static final int D = SIGMA.length, L = 2;

    public final double[] q;     // [D, D], rows = planted axes
    public final double[] b;     // [D]

    public PlantedLinear(long seed) {
        Random r = new Random(seed);
        q = new double[D * D];
        for (int i = 0; i < q.length; i++) q[i] = r.nextGaussian();
        for (int i = 0; i < D; i++) {
            for (int pass = 0; pass < 2; pass++)
                for (int j = 0; j < i; j++) {
                    double dot = 0;
                    for (int k = 0; k < D; k++) dot += q[i * D + k] * q[j * D + k];
                    for (int k = 0; k < D; k++) q[i * D + k] -= dot * q[j * D + k];
                }
            double n = 0;
            for (int k = 0; k < D; k++) n += q[i * D + k] * q[i * D + k];
            for (int k = 0; k < D; k++) q[i * D + k] /= Math.sqrt(n);
        }
        b = new double[D];
        for (int i = 0; i < D; i++) b[i] = 3 * r.nextGaussian();
    }

    public double[] axis(int i) {
        double[] a = new double[D];
        System.arraycopy(q, i * D, a, 0, D);
        return a;
    }

    /** Saves the module to {@code file} and loads it as a float64 generator. */
    public Generator save(Path file, boolean withMapping) {
        double[] m = new double[D * D];
        for (int i = 0; i < D; i++) for (int j = 0; j < D; j++) m[i * D + j] = SIGMA[i] * q[i * D + j];
        JitModule mod = new JitModule(new QualifiedName("test.PlantedLinear"));
        mod.register_buffer("map_w", Torch.of(m, D, D));
        mod.register_buffer("map_b", Torch.of(b, D));
        Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
        mod.register_attribute("num_layers", intType, new IValue((long) L));
        mod.register_attribute("latent_dim", intType, new IValue((long) D));
        mod.define((withMapping ? """
            def mapping(self, z: Tensor) -> Tensor:
                return torch.matmul(z, self.map_w) + self.map_b

            """ : "") + """
            def synthesis(self, wp: Tensor) -> Tensor:
                x = torch.tanh(wp.mean(dim=[1, 2]))
                return x.view(-1, 1, 1, 1).expand(-1, 3, 4, 4)
            """);
        mod.save(file.toString());
        return Generator.load(file).to(torch.ScalarType.Double);
    }
}
