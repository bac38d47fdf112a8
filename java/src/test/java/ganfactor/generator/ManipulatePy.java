package ganfactor.generator;

import ganfactor.cli.CliRun;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ReSeFa's manipulate.py with its defaults, as ganfactor flags, against the golden files its
 * steps wrote (tools/golden/hammer_stylegan{2,3}*.py): the code of seed 4 truncated (psi 0.7 on 8
 * layers), the [1, d] direction {@code direction.npy} moved on layers 4-7 over 7 steps from -10
 * to 10 (relative mode), its codes {@code mani_codes.npy} and images {@code mani_img.npy}.
 */
final class ManipulatePy {
    private ManipulatePy() {}

    /** Runs {@code edit} on {@code model} into {@code out}; max |diff| / max |ref| of the edited codes and of their images. */
    static double[] editErrors(String model, Path golden, Path out, int layers, int dim) {
        CliRun r = CliRun.run("edit", "--model", model, "--direction", golden.resolve("direction.npy").toString(),
                "--space", "wp", "--seed", "4", "--num", "1", "--truncation", "0.7", "--truncation-layers", "8",
                "--layers", "4-7", "--strengths", "-10:10:7", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        NpyArray codes = Npy.read(out.resolve("edited_0.npy"));
        assertArrayEquals(new long[]{1, 7, layers, dim}, codes.shape());
        double codeErr = HammerStyleGan2Test.relErr(codes.data(), Npy.read(golden.resolve("mani_codes.npy")).data());
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            Generator g = Generator.open(model);
            double imgErr = HammerStyleGan2Test.relErr(Torch.toDoubles(g.synthesis(Torch.of(codes.data(), 7, layers, dim).to(torch.ScalarType.Float))),
                    Npy.read(golden.resolve("mani_img.npy")).data());
            return new double[]{codeErr, imgErr};
        }
    }
}
