package ganfactor.generator;

import ganfactor.torch.Torch;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IntType;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.QualifiedName;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.Type;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The built-in demo generator: a synthetic, face-like 3 x 256 x 256 image generator written as
 * TorchScript from Java (no Python), with known local and global semantics.
 *
 * <p>Latent code: d = 64, L = 8 synthesis layers (W+ has 512 coordinates). A mapping network
 * (pixel norm, four leaky-ReLU layers) maps z to w. In a hidden orthonormal basis Q (rows
 * q_0..q_63) the code splits into eight blocks of eight coordinates: {@code global, eyes,
 * eyebrows, nose, mouth, hair, face, background}. Each layer's style affine A_l = M_l Q reads a
 * part's style slots only from the global block and that part's block; the four coarse layers
 * drive shapes (eye openness, mouth width, smile...), the four fine layers drive colours.
 * Every part is drawn by smooth (C1) ellipse masks inside a fixed crop ("zone") of the canvas
 * and pasted back by zero padding, so <b>a direction inside a part's block changes no pixel
 * outside that part's zone, exactly</b>: the planted ground truth of locality. Directions in the
 * global block (lighting and every part's shape mixing) are global.
 *
 * <p>The module satisfies the generator contract ({@link Generator}) and additionally exposes:
 * {@code part_names()} (comma-separated), {@code part_masks} [P, 256, 256] (1 inside a part's
 * zone), {@code planted_basis} Q [64, 64], {@code block_size()}, {@code style_affines()} (per-layer
 * [S, d] affine weights, for SeFa), {@code attribute_names()} and {@code attributes(wp)} (the
 * ground-truth shape parameters in [-1, 1], for InterFaceGAN), and region presets
 * ({@code preset_names()}, {@code preset_boxes} [K, 4] in the reference box format).
 */
public final class DemoGenerator {
    public static final long DEFAULT_SEED = 20240607L;
    public static final int LATENT_DIM = 64;
    public static final int NUM_LAYERS = 8;
    public static final int RESOLUTION = 256;
    public static final int BLOCK = 8;
    /** Latent blocks in the planted basis, in order; block i is rows [8i, 8i+8) of Q. */
    public static final List<String> BLOCKS = List.of("global", "eyes", "eyebrows", "nose", "mouth", "hair", "face", "background");
    /** Parts that own a block, with their shape parameter count and colour parameter count. */
    private static final String[] PARTS = {"eyes", "eyebrows", "nose", "mouth", "hair", "face", "background"};
    private static final int[] N_SHAPE = {4, 3, 2, 3, 2, 2, 1};
    private static final int[] N_COLOR = {3, 3, 1, 3, 3, 3, 6};
    private static final int SLOTS = 16;             // style slots per part
    private static final int GLOBAL_SLOTS = 8;       // lighting slots
    private static final int S = PARTS.length * SLOTS + GLOBAL_SLOTS;
    /** Shape parameters: the parts' own, then one global lighting parameter. */
    private static final int NUM_SHAPE = sum(N_SHAPE) + 1;
    public static final List<String> ATTRIBUTES = List.of(
            "eye_open", "eye_size", "gaze_x", "gaze_y",
            "brow_height", "brow_tilt", "brow_thickness",
            "nose_length", "nose_width",
            "mouth_width", "mouth_open", "smile",
            "hair_length", "hair_volume",
            "face_width", "face_height",
            "background_tilt", "light");

    /** Zones (row0, row1, col0, col1), half-open, in 256-pixel canvas coordinates. */
    public static final Map<String, int[][]> ZONES = new LinkedHashMap<>();
    /** Region presets in the reference box format [center_row, center_col, height, width]. */
    public static final Map<String, int[]> PRESETS = new LinkedHashMap<>();
    static {
        ZONES.put("left_eye", new int[][]{{106, 134, 73, 117}});
        ZONES.put("right_eye", new int[][]{{106, 134, 139, 183}});
        ZONES.put("eyes", new int[][]{{106, 134, 73, 117}, {106, 134, 139, 183}});
        ZONES.put("eyebrows", new int[][]{{84, 108, 73, 117}, {84, 108, 139, 183}});
        ZONES.put("nose", new int[][]{{118, 168, 110, 146}});
        ZONES.put("mouth", new int[][]{{164, 204, 94, 162}});
        ZONES.put("hair", new int[][]{{4, 188, 32, 224}});
        ZONES.put("face", new int[][]{{34, 236, 46, 210}});
        PRESETS.put("eyes", new int[]{120, 128, 16, 100});
        PRESETS.put("left_eye", new int[]{120, 95, 16, 34});
        PRESETS.put("right_eye", new int[]{120, 161, 16, 34});
        PRESETS.put("eyebrows", new int[]{97, 128, 14, 100});
        PRESETS.put("nose", new int[]{142, 128, 36, 24});
        PRESETS.put("mouth", new int[]{184, 128, 22, 60});
    }

    private DemoGenerator() {}

    /** Builds the demo module (float64 buffers, CPU). Deterministic: same seed, same weights, bit for bit. */
    public static JitModule build(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int d = LATENT_DIM, L = NUM_LAYERS;
        JitModule m = new JitModule(new QualifiedName("ganfactor.DemoGenerator"));

        // Mapping network: 4 layers, weights N(0, 1/d).
        for (int i = 0; i < 4; i++) {
            m.register_buffer("map" + i + "_w", f64(gaussian(rng, d * d, 1.0 / Math.sqrt(d)), d, d));
            m.register_buffer("map" + i + "_b", f64(gaussian(rng, d, 0.1), d));
        }
        double[] q = orthonormal(rng, d);
        m.register_buffer("planted_basis", f64(q, d, d));

        // Style affines A_l = M_l Q, stored transposed as [L, d, S].
        double[] affT = new double[L * d * S];
        double[] affB = new double[L * S];
        for (int l = 0; l < L; l++) {
            double[] M = new double[S * d]; // in planted coordinates
            for (int p = 0; p < PARTS.length; p++) {
                int blk = p + 1;
                for (int s = 0; s < SLOTS; s++) {
                    int row = p * SLOTS + s;
                    for (int j = 0; j < BLOCK; j++) {
                        M[row * d + j] = rng.nextGaussian() * 0.5 / Math.sqrt(2 * BLOCK);          // global block
                        M[row * d + blk * BLOCK + j] = rng.nextGaussian() * 1.5 / Math.sqrt(2 * BLOCK); // own block
                    }
                }
            }
            for (int s = 0; s < GLOBAL_SLOTS; s++) {
                int row = PARTS.length * SLOTS + s;
                for (int j = 0; j < BLOCK; j++) M[row * d + j] = rng.nextGaussian() * 1.5 / Math.sqrt(BLOCK);
            }
            for (int row = 0; row < S; row++) {
                for (int c = 0; c < d; c++) {
                    double a = 0;
                    for (int k = 0; k < d; k++) a += M[row * d + k] * q[k * d + c];
                    affT[(l * d + c) * S + row] = a;
                }
                affB[l * S + row] = rng.nextGaussian() * 0.2;
            }
        }
        m.register_buffer("affine_t", f64(affT, L, d, S));
        m.register_buffer("affine_b", f64(affB, L, 1, S));

        // Heads: block-structured, part p's parameters read only part p's slots.
        int ns = NUM_SHAPE, nc = sum(N_COLOR);
        double[] hs = new double[S * ns], hsb = new double[ns];
        double[] hc = new double[S * nc], hcb = new double[nc];
        int so = 0, co = 0;
        for (int p = 0; p < PARTS.length; p++) {
            for (int k = 0; k < N_SHAPE[p]; k++, so++) {
                for (int s = 0; s < SLOTS; s++) hs[(p * SLOTS + s) * ns + so] = rng.nextGaussian() * 1.2 / Math.sqrt(SLOTS);
                hsb[so] = rng.nextGaussian() * 0.2;
            }
            for (int k = 0; k < N_COLOR[p]; k++, co++) {
                for (int s = 0; s < SLOTS; s++) hc[(p * SLOTS + s) * nc + co] = rng.nextGaussian() * 1.2 / Math.sqrt(SLOTS);
                hcb[co] = rng.nextGaussian() * 0.2;
            }
        }
        // Smile and mouth width are correlated by construction (as in real faces): width mixes in smile's weights.
        int mouth = offset(N_SHAPE, 3);
        for (int s = 0; s < S; s++) hs[s * ns + mouth] = 0.6 * hs[s * ns + mouth] + 0.8 * hs[s * ns + mouth + 2];
        // Lighting reads the global slots only.
        int light = ns - 1;
        for (int s = 0; s < GLOBAL_SLOTS; s++) hs[(PARTS.length * SLOTS + s) * ns + light] = rng.nextGaussian() / Math.sqrt(GLOBAL_SLOTS);
        m.register_buffer("head_shape_t", f64(hs, S, ns));
        m.register_buffer("head_shape_b", f64(hsb, ns));
        m.register_buffer("head_color_t", f64(hc, S, nc));
        m.register_buffer("head_color_b", f64(hcb, nc));

        double[] yy = new double[RESOLUTION], xx = new double[RESOLUTION];
        for (int i = 0; i < RESOLUTION; i++) { yy[i] = i + 0.5; xx[i] = i + 0.5; }
        m.register_buffer("yy", f64(yy, RESOLUTION, 1));
        m.register_buffer("xx", f64(xx, 1, RESOLUTION));

        List<String> partNames = List.copyOf(ZONES.keySet());
        double[] masks = new double[partNames.size() * RESOLUTION * RESOLUTION];
        for (int p = 0; p < partNames.size(); p++)
            for (int[] z : ZONES.get(partNames.get(p)))
                for (int r = z[0]; r < z[1]; r++)
                    for (int c = z[2]; c < z[3]; c++) masks[(p * RESOLUTION + r) * RESOLUTION + c] = 1;
        m.register_buffer("part_masks", f64(masks, partNames.size(), RESOLUTION, RESOLUTION));
        double[] boxes = new double[PRESETS.size() * 4];
        int k = 0;
        for (int[] b : PRESETS.values()) for (int v : b) boxes[k++] = v;
        m.register_buffer("preset_boxes", Torch.of(boxes, PRESETS.size(), 4).to(org.bytedeco.pytorch.global.torch.ScalarType.Long));

        Type.TypePtr intType = new Type.TypePtr(IntType.getIntTypePtr().get());
        m.register_attribute("num_layers", intType, new IValue((long) L));
        m.register_attribute("latent_dim", intType, new IValue((long) d));
        m.register_buffer("w_avg", f64(new double[d], d));
        m.define(source(partNames));
        // w_avg: the mean of mapping(z) over 10,000 z drawn from a fixed seed.
        double[] z = gaussian(new SplittableRandom(seed ^ 0x5eed), 10_000 * d, 1.0);
        IValue out = m.get_method("mapping").apply(new org.bytedeco.pytorch.IValueVector(new IValue(f64(z, 10_000, d))));
        // a tensor of its own while out is reachable: a CI run crashed here (SIGSEGV in mean) when the
        // GC freed the IValue under toTensor()'s reference in compiled code (docs/JAVACPP.md)
        Tensor w = Torch.own(out);
        Tensor mean = w.mean(new long[]{0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        m.register_buffer("w_avg", new Tensor(mean).clone());
        return m;
    }

    private static String source(List<String> partNames) {
        int[] sOff = new int[PARTS.length], cOff = new int[PARTS.length];
        for (int p = 0; p < PARTS.length; p++) { sOff[p] = offset(N_SHAPE, p); cOff[p] = offset(N_COLOR, p); }
        return """
            def mapping(self, z: Tensor) -> Tensor:
                x = z * torch.rsqrt(torch.mean(z * z, dim=[1], keepdim=True) + 1e-8)
                x = self.lrelu(torch.matmul(x, self.map0_w) + self.map0_b)
                x = self.lrelu(torch.matmul(x, self.map1_w) + self.map1_b)
                x = self.lrelu(torch.matmul(x, self.map2_w) + self.map2_b)
                x = self.lrelu(torch.matmul(x, self.map3_w) + self.map3_b)
                return x

            def lrelu(self, x: Tensor) -> Tensor:
                return torch.where(x >= 0, x, 0.2 * x) * 1.4142135623730951

            def styles(self, wp: Tensor) -> Tensor:
                return torch.bmm(wp.transpose(0, 1), self.affine_t) + self.affine_b

            def params(self, wp: Tensor) -> Tuple[Tensor, Tensor]:
                u = self.lrelu(self.styles(wp))
                coarse = torch.mean(u[0:4], dim=0)
                fine = torch.mean(u[4:8], dim=0)
                shape = torch.tanh(torch.matmul(coarse, self.head_shape_t) + self.head_shape_b)
                color = torch.sigmoid(torch.matmul(fine, self.head_color_t) + self.head_color_b)
                return shape, color

            def attributes(self, wp: Tensor) -> Tensor:
                shape, color = self.params(wp)
                return shape

            def attribute_names(self) -> str:
                return "%ATTRS%"

            def part_names(self) -> str:
                return "%PARTS%"

            def preset_names(self) -> str:
                return "%PRESETS%"

            def block_size(self) -> int:
                return %BLOCK%

            def style_affines(self) -> List[Tensor]:
                out: List[Tensor] = []
                for l in range(%L%):
                    out.append(self.affine_t[l].t())
                return out

            def ell(self, r0: int, r1: int, c0: int, c1: int, cy: Tensor, cx: Tensor, ry: Tensor, rx: Tensor,
                    curv: Tensor, slope: Tensor, soft: float) -> Tensor:
                yy = self.yy[r0:r1]
                xx = self.xx[:, c0:c1]
                dx = (xx - cx.view(-1, 1, 1)) / rx.view(-1, 1, 1)
                cye = cy.view(-1, 1, 1) - curv.view(-1, 1, 1) * dx * dx + slope.view(-1, 1, 1) * dx
                dy = (yy - cye) / ry.view(-1, 1, 1)
                r = torch.sqrt(dy * dy + dx * dx + 1e-6)
                t = torch.clamp((1.0 - r) * torch.minimum(ry, rx).view(-1, 1, 1) / soft + 0.5, 0.0, 1.0)
                return (t * t * (3.0 - 2.0 * t)).unsqueeze(1)

            def paste(self, img: Tensor, new: Tensor, old: Tensor, r0: int, r1: int, c0: int, c1: int) -> Tensor:
                img[:, :, r0:r1, c0:c1] = new
                return img

            def rgb(self, color: Tensor, i: int, base: List[float], span: float) -> Tensor:
                c = color[:, i:i + 3] - 0.5
                b = torch.tensor(base, dtype=color.dtype, device=color.device).view(1, 3)
                return (b + span * c).view(-1, 3, 1, 1)

            def synthesis(self, wp: Tensor) -> Tensor:
                shape, color = self.params(wp)
                zero = shape[:, 0] * 0.0
                one = zero + 1.0
                # background: vertical gradient, tilted
                top = self.rgb(color, %C_BG%, [0.55, 0.62, 0.70], 0.8)
                bottom = self.rgb(color, %C_BG% + 3, [0.35, 0.38, 0.45], 0.8)
                t = (self.yy / 256.0 + 0.35 * shape[:, %S_BG%].view(-1, 1, 1) * (self.xx / 256.0 - 0.5)).unsqueeze(1)
                img = top + (bottom - top) * t
                # hair (zone rows 4..188, cols 32..224), drawn behind the face
                old = img[:, :, 4:188, 32:224]
                a = self.ell(4, 188, 32, 224, 96.0 - 8.0 * shape[:, %S_HAIR%], one * 128.0,
                             70.0 * (1.0 + 0.1 * shape[:, %S_HAIR%]), 82.0 * (1.0 + 0.07 * shape[:, %S_HAIR% + 1]), zero, zero, 4.0)
                img = self.paste(img, old + a * (self.rgb(color, %C_HAIR%, [0.30, 0.22, 0.15], 0.7) - old), old, 4, 188, 32, 224)
                # face (zone rows 34..236, cols 46..210)
                skin = self.rgb(color, %C_FACE%, [0.85, 0.68, 0.56], 0.35)
                old = img[:, :, 34:236, 46:210]
                a = self.ell(34, 236, 46, 210, one * 138.0, one * 128.0, 90.0 * (1.0 + 0.06 * shape[:, %S_FACE% + 1]),
                             70.0 * (1.0 + 0.1 * shape[:, %S_FACE%]), zero, zero, 3.0)
                img = self.paste(img, old + a * (skin - old), old, 34, 236, 46, 210)
                # nose (zone rows 118..168, cols 110..146)
                nl = shape[:, %S_NOSE%]
                nw = shape[:, %S_NOSE% + 1]
                old = img[:, :, 118:168, 110:146]
                nose = skin * (0.78 + 0.25 * (color[:, %C_NOSE%].view(-1, 1, 1, 1) - 0.5))
                ry = 16.0 * (1.0 + 0.2 * nl)
                cy = 140.0 + 4.0 * nl
                a = self.ell(118, 168, 110, 146, cy, one * 128.0, ry, 8.0 * (1.0 + 0.25 * nw), zero, zero, 4.0)
                new = old + a * (nose - old)
                for side in [-1.0, 1.0]:
                    a = self.ell(118, 168, 110, 146, cy + 0.75 * ry, 128.0 + side * 5.0 * (1.0 + 0.25 * nw),
                                 one * 1.8, one * 2.6, zero, zero, 1.0)
                    new = new + a * (0.18 - new)
                img = self.paste(img, new, old, 118, 168, 110, 146)
                # mouth (zone rows 164..204, cols 94..162)
                mw = shape[:, %S_MOUTH%]
                mo = shape[:, %S_MOUTH% + 1]
                sm = shape[:, %S_MOUTH% + 2]
                old = img[:, :, 164:204, 94:162]
                rx = 24.0 * (1.0 + 0.2 * mw)
                a = self.ell(164, 204, 94, 162, one * 184.0, one * 128.0, 5.5 * (1.0 + 0.25 * mo), rx, 5.0 * sm, zero, 1.5)
                new = old + a * (self.rgb(color, %C_MOUTH%, [0.72, 0.30, 0.32], 0.4) - old)
                a = self.ell(164, 204, 94, 162, one * 184.0, one * 128.0, 3.5 * (0.55 + 0.45 * mo), 0.8 * rx, 5.0 * sm, zero, 1.0)
                new = new + a * (0.12 - new)
                img = self.paste(img, new, old, 164, 204, 94, 162)
                # eyebrows (zones rows 84..108, cols 73..117 and 139..183)
                bh = shape[:, %S_BROW%]
                bt = shape[:, %S_BROW% + 1]
                bk = shape[:, %S_BROW% + 2]
                brow = self.rgb(color, %C_BROW%, [0.25, 0.18, 0.12], 0.5)
                for side in [-1, 1]:
                    c0 = 106 + side * 33
                    old = img[:, :, 84:108, c0:c0 + 44]
                    a = self.ell(84, 108, c0, c0 + 44, 97.0 - 3.0 * bh, one * (c0 + 22.0), 2.5 * (1.0 + 0.3 * bk), one * 16.0,
                                 one * 2.0, 3.0 * side * bt, 1.0)
                    img = self.paste(img, old + a * (brow - old), old, 84, 108, c0, c0 + 44)
                # eyes (zones rows 106..134, cols 73..117 and 139..183)
                eo = shape[:, %S_EYES%]
                es = shape[:, %S_EYES% + 1]
                gx = shape[:, %S_EYES% + 2]
                gy = shape[:, %S_EYES% + 3]
                iris = self.rgb(color, %C_EYES%, [0.35, 0.45, 0.40], 0.7)
                for side in [-1, 1]:
                    c0 = 106 + side * 33
                    cx = one * (c0 + 22.0)
                    old = img[:, :, 106:134, c0:c0 + 44]
                    sclera = self.ell(106, 134, c0, c0 + 44, one * 120.0, cx, 7.5 * (1.0 + 0.15 * es) * (0.75 + 0.35 * eo),
                                      15.0 * (1.0 + 0.15 * es), zero, zero, 1.5)
                    new = old + sclera * (0.93 - old)
                    ri = 5.5 * (1.0 + 0.15 * es)
                    a = self.ell(106, 134, c0, c0 + 44, 120.0 + 2.0 * gy, cx + 5.0 * gx, ri, ri, zero, zero, 1.0) * sclera
                    new = new + a * (iris - new)
                    a = self.ell(106, 134, c0, c0 + 44, 120.0 + 2.0 * gy, cx + 5.0 * gx, 0.45 * ri, 0.45 * ri, zero, zero, 1.0) * sclera
                    new = new + a * (0.05 - new)
                    img = self.paste(img, new, old, 106, 134, c0, c0 + 44)
                # global lighting
                return img * (1.7 + 0.3 * shape[:, %S_LIGHT%]).view(-1, 1, 1, 1) - 1.0

            def forward(self, z: Tensor) -> Tensor:
                w = self.mapping(z)
                return self.synthesis(w.unsqueeze(1).repeat(1, %L%, 1))
            """
                .replace("%ATTRS%", String.join(",", ATTRIBUTES))
                .replace("%PARTS%", String.join(",", partNames))
                .replace("%PRESETS%", String.join(",", PRESETS.keySet()))
                .replace("%BLOCK%", String.valueOf(BLOCK))
                .replace("%L%", String.valueOf(NUM_LAYERS))
                .replace("%S_EYES%", String.valueOf(sOff[0])).replace("%C_EYES%", String.valueOf(cOff[0]))
                .replace("%S_BROW%", String.valueOf(sOff[1])).replace("%C_BROW%", String.valueOf(cOff[1]))
                .replace("%S_NOSE%", String.valueOf(sOff[2])).replace("%C_NOSE%", String.valueOf(cOff[2]))
                .replace("%S_MOUTH%", String.valueOf(sOff[3])).replace("%C_MOUTH%", String.valueOf(cOff[3]))
                .replace("%S_HAIR%", String.valueOf(sOff[4])).replace("%C_HAIR%", String.valueOf(cOff[4]))
                .replace("%S_FACE%", String.valueOf(sOff[5])).replace("%C_FACE%", String.valueOf(cOff[5]))
                .replace("%S_BG%", String.valueOf(sOff[6])).replace("%C_BG%", String.valueOf(cOff[6]))
                .replace("%S_LIGHT%", String.valueOf(NUM_SHAPE - 1))
;
    }

    private static int sum(int[] a) { int s = 0; for (int v : a) s += v; return s; }

    private static int offset(int[] a, int p) { int s = 0; for (int i = 0; i < p; i++) s += a[i]; return s; }

    /** Buffers are built and saved in float64 so that the planted zeros survive; callers convert to float32 for speed. */
    private static Tensor f64(double[] v, long... shape) {
        return Torch.of(v, shape);
    }

    private static double[] gaussian(SplittableRandom rng, int n, double std) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextGaussian() * std;
        return v;
    }

    /** A random orthonormal d x d matrix (rows), by modified Gram-Schmidt on Gaussian rows. */
    static double[] orthonormal(SplittableRandom rng, int d) {
        double[] q = gaussian(rng, d * d, 1.0);
        for (int i = 0; i < d; i++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < i; j++) {
                    double dot = 0;
                    for (int k = 0; k < d; k++) dot += q[i * d + k] * q[j * d + k];
                    for (int k = 0; k < d; k++) q[i * d + k] -= dot * q[j * d + k];
                }
            }
            double n = 0;
            for (int k = 0; k < d; k++) n += q[i * d + k] * q[i * d + k];
            n = Math.sqrt(n);
            for (int k = 0; k < d; k++) q[i * d + k] /= n;
        }
        return q;
    }

    /** The demo's planted orthonormal basis Q [d, d] (row-major): its rows in blocks of {@link #BLOCK} draw each part. */
    public static double[] plantedBasis(Generator g) {
        org.bytedeco.pytorch.Tensor q = g.tensorAttr("planted_basis");
        if (q == null) throw new ganfactor.InputException(g.source() + ": not the demo generator (no planted_basis)");
        return ganfactor.torch.Torch.toDoubles(q);
    }

    /** Fraction of the unit vector n's energy in each planted latent block (rows of the orthonormal basis Q). */
    public static double[] blockShares(double[] q, double[] n, int d) {
        int blocks = BLOCKS.size();
        double[] share = new double[blocks];
        for (int row = 0; row < d; row++) {
            double c = 0;
            for (int j = 0; j < d; j++) c += q[row * d + j] * n[j];
            share[Math.min(blocks - 1, row / BLOCK)] += c * c;
        }
        return share;
    }
}
