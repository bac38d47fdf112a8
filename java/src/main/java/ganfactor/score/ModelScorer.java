package ganfactor.score;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.torch.Torch;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TorchScript attribute model: {@code forward(image: Tensor[B, C, H, W] in [-1, 1]) -> Tensor[B]
 * or [B, 1]}, one score per image (a classifier's logit or probability, a regressor's output).
 * Images are passed as float32 (or float64 when the model's weights are).
 */
public final class ModelScorer implements Scorer {
    private final JitModule module;
    private final Path file;
    private final String name;
    private org.bytedeco.pytorch.global.torch.ScalarType dtype = torch.ScalarType.Float;
    private boolean probed;

    public ModelScorer(Path file, String name) {
        if (!Files.isRegularFile(file)) throw new InputException(file + ": no such file");
        try {
            this.module = torch.load(file.toString());
        } catch (RuntimeException e) {
            throw new InputException(file + ": not a TorchScript module (" + Generator.oneLine(e) + ")", e);
        }
        module.eval();
        this.file = file;
        this.name = name != null ? name : stem(file);
    }

    static String stem(Path file) {
        String s = file.getFileName().toString();
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }

    @Override public String name() { return name; }

    @Override public String definition() { return "TorchScript attribute model " + file + " (forward(image) -> score)"; }

    @Override public boolean needsImages() { return true; }

    @Override
    public double[] score(Batch b) {
        Tensor out;
        if (!probed) {
            probed = true;
            try {
                out = run(b.images());
            } catch (RuntimeException e) {
                dtype = torch.ScalarType.Double;
                try {
                    out = run(b.images());
                } catch (RuntimeException e2) {
                    throw new InputException(file + ": forward(image [" + b.count() + ", " + b.channels() + ", " + b.height() + ", " + b.width()
                            + "]) failed: " + Generator.oneLine(e), e);
                }
            }
        } else out = run(b.images());
        long[] s = Torch.shape(out);
        boolean ok = (s.length == 1 && s[0] == b.count()) || (s.length == 2 && s[0] == b.count() && s[1] == 1);
        if (!ok) throw new InputException(file + ": forward must return one score per image, [B] or [B, 1], got " + Torch.shapeString(out)
                + " for B = " + b.count());
        return Torch.toDoubles(out);
    }

    private Tensor run(Tensor images) {
        IValueVector in = new IValueVector(new IValue(images.to(dtype)));
        IValue v = module.get_method("forward").apply(in);
        if (!v.isTensor()) throw new InputException(file + ": forward must return a tensor, got " + v.tagKind().getString());
        return ganfactor.torch.Torch.own(v);
    }
}
