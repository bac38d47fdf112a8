package ganfactor.pipeline;

import ganfactor.InputException;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.jacobian.GramPair;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.torch.Handoff;
import ganfactor.torch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static ganfactor.InputException.ref;

/** Gram pairs read back from files: ganfactor's (or the reference's) A and B, or a saved Jacobian with a region. */
public final class GramFiles {
    private GramFiles() {}

    /** Gram pairs from files: A and B, each [d, d] or [N, d, d] float, of the same shape. */
    public static void readGrams(Path fa, Path fb, List<GramPair> out) {
        NpyArray a = Npy.read(fa), b = Npy.read(fb);
        if (a.ndim() != 2 && a.ndim() != 3) throw new InputException(fa + ": expected [d, d] or [N, d, d], got " + a.shapeString());
        long d = a.shape()[a.ndim() - 1];
        if (a.shape()[a.ndim() - 2] != d) throw new InputException(fa + ": Grams must be square, got " + a.shapeString());
        if (!java.util.Arrays.equals(a.shape(), b.shape())) throw new InputException(fb + ": shape " + b.shapeString() + " differs from " + fa + " " + a.shapeString());
        int n = a.ndim() == 3 ? (int) a.shape()[0] : 1;
        int dd = (int) d;
        for (int i = 0; i < n; i++) {
            double[] ai = java.util.Arrays.copyOfRange(a.data(), i * dd * dd, (i + 1) * dd * dd);
            double[] bi = java.util.Arrays.copyOfRange(b.data(), i * dd * dd, (i + 1) * dd * dd);
            out.add(GramPair.of("grams", dd, 0, 0, ai, bi));
        }
    }

    /**
     * Grams (and the region's scaled rows J_R / sqrt|R|, for the fast path) of every sample of a
     * Jacobian file in the official layouts ([N, C, G, G, 1, d], [N, G, G, 1, d], [G, G, 1, d]) or
     * ganfactor's earlier [N, C, G, G, d]; the rows join the caller's PointerScope. Returns what
     * was read, for the record.
     */
    public static Map<String, Object> readJacobian(Path file, String spec, List<GramPair> out, List<Tensor> rowsOut) {
        Handoff handOut = new Handoff();
        NpyArray j = Npy.read(file);
        long[] s = j.shape();
        int n, c, gh, gw, d;
        if (s.length == 4 && s[2] == 1) { n = 1; gh = (int) s[0]; gw = (int) s[1]; c = 1; d = (int) s[3]; }
        else if (s.length == 6 && s[4] == 1) { n = (int) s[0]; c = (int) s[1]; gh = (int) s[2]; gw = (int) s[3]; d = (int) s[5]; }   // official, channels as rows
        else if (s.length == 5 && s[3] == 1 && s[1] == s[2]) { n = (int) s[0]; gh = (int) s[1]; gw = (int) s[2]; c = 1; d = (int) s[4]; }   // official, summed
        else if (s.length == 5) { n = (int) s[0]; c = (int) s[1]; gh = (int) s[2]; gw = (int) s[3]; d = (int) s[4]; }   // ganfactor before the official layout
        else throw new InputException(file + ": expected a Jacobian [N, C, G, G, 1, d] or [N, G, G, 1, d] (official layouts), [G, G, 1, d] or [N, C, G, G, d], got " + j.shapeString());
        if (gh != gw) throw new InputException(file + ": the Jacobian view must be square, got " + gh + " x " + gw);
        Region r = Regions.parse(spec, gh, null);
        long[] in = r.inside(c), outside = r.outside(c);
        long P = (long) c * gh * gw;
        for (int i = 0; i < n; i++) {
            Tensor kept;
            try (PointerScope scope = new PointerScope()) {
                double[] ji = java.util.Arrays.copyOfRange(j.data(), (int) (i * P * d), (int) ((i + 1) * P * d));
                Tensor J = Torch.of(ji, P, d);
                Tensor Jr = J.index_select(0, Torch.ofLong(in, in.length));
                Tensor Jb = J.index_select(0, Torch.ofLong(outside, outside.length));
                Tensor fa = Jr.div(new Scalar(Math.sqrt(in.length)));
                double[] a = Torch.toDoubles(fa.t().mm(fa));
                double[] b = Torch.toDoubles(Jb.t().mm(Jb).div(new Scalar(outside.length)));
                out.add(GramPair.of(r.name(), d, in.length, outside.length, a, b));
                kept = handOut.keep(fa);
            } catch (RuntimeException | Error e) {
                handOut.discard();
                throw e;
            }
            rowsOut.add(kept);
        }
        handOut.deliver();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jacobian", file.toString());
        m.put("shape", s);
        m.put("region", r.name());
        m.put("region_origin", r.origin());
        if (r.box() != null) m.put("box", r.box());
        m.put("inside_rows", in.length);
        m.put("outside_rows", outside.length);
        return m;
    }

    /** Sample {@code sample} of a background Gram file, [d, d] or [N, d, d], for d-dimensional directions. */
    public static double[] readBackground(Path file, int d, int sample) {
        NpyArray bb = Npy.read(file);
        int n = bb.ndim() == 3 ? (int) bb.shape()[0] : 1;
        if (!(bb.ndim() == 2 || bb.ndim() == 3) || bb.shape()[bb.ndim() - 1] != d || bb.shape()[bb.ndim() - 2] != d)
            throw new InputException(file + ": expected a background Gram [" + d + ", " + d + "] (or [N, d, d]) for " + d + "-dimensional directions, got " + bb.shapeString());
        if (sample < 0 || sample >= n) throw new InputException(ref("sample") + " " + sample + " is out of range: " + file + " holds " + n);
        return java.util.Arrays.copyOfRange(bb.data(), sample * d * d, (sample + 1) * d * d);
    }
}
