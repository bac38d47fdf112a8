package ganfactor.studio;

import com.fasterxml.jackson.databind.JsonNode;
import ganfactor.TestSupport;
import ganfactor.generator.DemoGenerator;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.generator.Latents;
import ganfactor.jacobian.Progress;
import ganfactor.method.LowRankGan;
import ganfactor.pipeline.Cancellation;
import ganfactor.pipeline.LocalEdit;
import ganfactor.region.Regions;
import ganfactor.io.Npy;
import ganfactor.io.NpyArray;
import ganfactor.method.Directions;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio's JSON API over HTTP, on the demo generator and its planted ground truth. */
class StudioApiTest {

    /**
     * ReSeFa on the demo's mouth zone finds the planted mouth block: the demo draws the mouth zone
     * from the global and the mouth latent blocks only, and a direction inside the mouth block
     * changes no pixel outside the zone, so the top generalized eigenvector (inside energy over
     * outside energy, maximal) must lie almost wholly in that block. Its edit is local (inside /
     * outside MSE ratio far above a random direction's), and strength 0 reproduces the original
     * exactly (the editor reuses the original's pixels for an unchanged code).
     */
    @Test
    void discoveryOnTheMouthFindsThePlantedMouthBlock() throws Exception {
        try (StudioHarness h = new StudioHarness()) {
            JsonNode job = h.discoverMouth(4);
            JsonNode dirs = job.get("result").get("directions");
            assertEquals(4, dirs.size());
            for (int i = 1; i < dirs.size(); i++)
                assertTrue(dirs.get(i - 1).get("eigenvalue").asDouble() >= dirs.get(i).get("eigenvalue").asDouble(), "eigenvalues descend");
            long top = dirs.get(0).get("id").asLong();
            double[] n = h.server.studio().vector(top);
            assertEquals(1.0, Directions.norm(n), 1e-9, "unit direction");
            double[] shares = DemoGenerator.blockShares(DemoGenerator.plantedBasis(TestSupport.demo32()), n, 64);
            int mouth = DemoGenerator.BLOCKS.indexOf("mouth");
            assertTrue(shares[mouth] > 0.95, "share of the mouth block " + shares[mouth]);

            // the job's trace: its Jacobian passes and its solve's steps, as the command line's --trace writes them
            StudioHarness.Answer t = h.get("/api/job/" + job.get("id").asLong() + "/trace");
            assertEquals(200, t.status());
            java.util.Set<String> names = new java.util.HashSet<>();
            for (JsonNode e : t.json().get("traceEvents")) if (e.get("ph").asText().equals("X")) names.add(e.get("name").asText());
            assertTrue(names.containsAll(java.util.List.of("jacobian", "jacobian pass", "gram accumulation", "input checks", "generalized solve")), names.toString());
            assertEquals(404, h.get("/api/job/999999/trace").status());

            JsonNode zero = h.post("/api/edit", "{\"direction\": " + top + ", \"strength\": 0, \"region\": " + StudioHarness.MOUTH_JSON + "}").json();
            assertEquals(0.0, zero.get("max_change").asDouble(), "strength 0 is the original, bit for bit");

            JsonNode e = h.post("/api/edit", "{\"direction\": " + top + ", \"strength\": 3, \"region\": " + StudioHarness.MOUTH_JSON + "}").json();
            double ratio = e.get("ratio").asDouble();
            assertTrue(e.get("mse_inside").asDouble() > 1e-3, "the mouth changes: " + e);

            // a random unit direction, loaded as a boundary file, is the baseline
            Npy.writeFloat64(h.work.resolve("random.npy"), Directions.randomUnit(64, 7), 1, 64);
            long rnd = h.post("/api/boundary", "{\"path\": \"random.npy\"}").json().get("id").asLong();
            JsonNode er = h.post("/api/edit", "{\"direction\": " + rnd + ", \"strength\": 3, \"region\": " + StudioHarness.MOUTH_JSON + "}").json();
            double base = er.get("ratio").asDouble();
            assertTrue(ratio > 50 * base, "ReSeFa ratio " + ratio + " against a random direction's " + base);
        }
    }

    /** One discovery at a time: a second request is a 409 naming the running job, and Cancel stops the passes with nothing changed. */
    @Test
    void busyAnswersAndCancelStopsTheJacobianPasses() throws Exception {
        try (StudioHarness h = new StudioHarness()) {
            assertEquals(200, h.post("/api/image", "{\"seed\": 3, \"space\": \"wp\"}").status());
            // W+ (D = 512) one Jacobian column per pass: 512 passes, far longer than the test waits
            StudioHarness.Answer a = h.post("/api/discover", "{\"method\": \"resefa\", \"chunk\": 1, \"region\": {\"part\": \"mouth\"}}");
            assertEquals(200, a.status(), a.json().toString());
            long id = a.json().get("id").asLong();
            long end = System.nanoTime() + 60_000_000_000L;
            while (h.get("/api/job/" + id).json().get("done").asLong() < 3) {
                assertTrue(System.nanoTime() < end, "no progress");
                Thread.sleep(20);
            }
            StudioHarness.Answer second = h.post("/api/discover", "{\"method\": \"resefa\", \"region\": {\"part\": \"mouth\"}}");
            assertEquals(409, second.status());
            assertTrue(second.json().get("error").asText().contains("job " + id), second.json().toString());
            assertEquals(409, h.post("/api/image", "{\"seed\": 5}").status());

            JsonNode c = h.post("/api/job/" + id + "/cancel", "").json();
            assertEquals("the Cancel button", c.get("cancel_reason").asText());
            JsonNode j = h.await(id, 30);
            assertEquals("cancelled", j.get("state").asText(), j.toString());
            long done = j.get("done").asLong();
            assertTrue(done < 512, "stopped after " + done + " of 512 passes");
            Thread.sleep(300);
            assertEquals(done, h.get("/api/job/" + id).json().get("done").asLong(), "no pass after the cancellation");
            assertEquals(0, h.get("/api/directions").json().get("directions").size(), "a cancelled discovery adds nothing");
            assertEquals(200, h.post("/api/image", "{\"seed\": 5}").status(), "the engine is free again");
        }
    }

    /** A job nobody asks about (its tab was closed) is cancelled after the heartbeat timeout. */
    @Test
    void aJobWithoutHeartbeatIsCancelled() throws Exception {
        try (StudioHarness h = new StudioHarness(400, 1 << 20)) {
            assertEquals(200, h.post("/api/image", "{\"seed\": 3, \"space\": \"wp\"}").status());
            long id = h.post("/api/discover", "{\"method\": \"resefa\", \"chunk\": 1, \"region\": {\"part\": \"mouth\"}}").json().get("id").asLong();
            Job job = h.server.studio().running();
            assertNotNull(job);
            long end = System.nanoTime() + 30_000_000_000L;
            while (job.state() == Job.State.RUNNING && System.nanoTime() < end) Thread.sleep(50);   // no HTTP polling: no heartbeat
            JsonNode j = h.get("/api/job/" + id).json();
            assertEquals("cancelled", j.get("state").asText(), j.toString());
            assertTrue(j.get("cancel_reason").asText().contains("tab was closed"), j.toString());
            assertTrue(j.get("done").asLong() < 512);
        }
    }

    /** Bad requests get a 4xx with a one-line JSON error, and change neither the session nor the working folder. */
    @Test
    void badRequestsAreRefusedAndChangeNothing() throws Exception {
        try (StudioHarness h = new StudioHarness(60_000, 4096)) {
            JsonNode job = h.discoverMouth(3);
            long top = job.get("result").get("directions").get(0).get("id").asLong();
            // direction ids count from 0 in arrival order (issue 30: they started at 2, so {"direction": 0} was a 404)
            assertEquals(0, top, job.toString());
            assertEquals(2, job.get("result").get("directions").get(2).get("id").asLong(), job.toString());
            Path outside = Files.createTempDirectory("gf-outside-");
            Npy.writeFloat64(outside.resolve("b.npy"), Directions.randomUnit(64, 1), 1, 64);
            Files.createSymbolicLink(h.work.resolve("link"), outside);
            Files.createDirectories(h.work.resolve("existing"));
            String before = h.get("/api/directions").json().toString();
            List<String> filesBefore = listing(h.work);
            String[][] cases = {
                    // path, body, expected status
                    {"/api/discover", "{\"region\": {\"boxes\": [[200, 164, 300, 204]]}}", "400"},
                    {"/api/discover", "{\"region\": {\"boxes\": [[-1, 164, 100, 204]]}}", "400"},
                    {"/api/discover", "{\"region\": {\"boxes\": [[94, 164, \"NaN\", 204]]}}", "400"},
                    {"/api/discover", "{\"region\": {\"boxes\": [[94, 164, 94, 204]]}}", "400"},
                    {"/api/discover", "{\"method\": \"magic\", \"region\": {\"part\": \"mouth\"}}", "400"},
                    {"/api/discover", "{\"region\": {\"preset\": \"../../etc/passwd.png\"}}", "400"},
                    {"/api/discover", "{\"k\": -1, \"region\": {\"part\": \"mouth\"}}", "400"},
                    {"/api/discover", "{\"method\": \"resefa\", \"rpca-lambda\": 0.1, \"region\": {\"part\": \"mouth\"}}", "400"},
                    {"/api/discover", "{\"method\": \"resefa\", \"eps\": -1, \"region\": {\"part\": \"mouth\"}}", "400"},
                    {"/api/edit", "{\"direction\": " + top + ", \"strength\": \"NaN\"}", "400"},
                    {"/api/edit", "{\"direction\": " + top + ", \"strength\": NaN}", "400"},
                    {"/api/edit", "{\"direction\": " + top + ", \"strength\": 1e300}", "400"},
                    {"/api/edit", "{\"direction\": " + top + ", \"strength\": 1, \"layers\": \"3-99\"}", "400"},
                    {"/api/edit", "{\"direction\": 99999, \"strength\": 1}", "404"},
                    {"/api/edit", "not json", "400"},
                    {"/api/image", "{\"path\": \"../x.npy\"}", "403"},
                    {"/api/image", "{\"path\": \"/etc/hostname\"}", "403"},
                    {"/api/image", "{\"path\": \"link/b.npy\"}", "403"},
                    {"/api/image", "{\"path\": \"missing.npy\"}", "404"},
                    {"/api/image", "{\"seed\": -1}", "400"},
                    {"/api/image", "{\"seed\": 1, \"space\": \"q\"}", "400"},
                    {"/api/boundary", "{\"path\": \"link/b.npy\"}", "403"},
                    {"/api/export", "{\"folder\": \"../out\", \"direction\": " + top + "}", "403"},
                    {"/api/export", "{\"folder\": \"/tmp/out\", \"direction\": " + top + "}", "403"},
                    {"/api/export", "{\"folder\": \"link\", \"direction\": " + top + "}", "403"},
                    {"/api/export", "{\"folder\": \"existing\", \"direction\": " + top + "}", "400"},
                    {"/api/export", "{\"folder\": \"e\", \"direction\": " + top + ", \"min\": 2, \"max\": 1}", "400"},
                    {"/api/condition", "{\"primal\": " + top + ", \"conditions\": [" + top + "]}", "400"},
                    {"/api/job/abc", null, "400"},
            };
            for (String[] c : cases) {
                StudioHarness.Answer a = c[1] == null ? h.get(c[0]) : h.post(c[0], c[1]);
                assertEquals(Integer.parseInt(c[2]), a.status(), c[0] + " " + c[1] + " -> " + a.json());
                String msg = a.json().get("error").asText();
                assertFalse(msg.isBlank() || msg.contains("\n"), "one-line message: " + msg);
            }
            // uploads: over the limit (4096 bytes here) and not a .npy
            assertEquals(413, h.postBytes("/api/upload", new byte[5000]).status());
            assertEquals(400, h.postBytes("/api/upload", "hello, not numpy".getBytes()).status());
            assertEquals(413, h.post("/api/edit", "{\"pad\": \"" + "x".repeat(StudioServer.MAX_JSON_BYTES.intValue()) + "\"}").status());
            // a box off the image is said to be outside it, whichever corner lies beyond (issue 30: [300, 10, 260, 50] was "empty")
            for (String box : List.of("[200, 164, 300, 204]", "[300, 10, 260, 50]", "[-40, -40, -10, -10]")) {
                StudioHarness.Answer a = h.post("/api/discover", "{\"region\": {\"boxes\": [" + box + "]}}");
                assertEquals(400, a.status(), box);
                assertTrue(a.json().get("error").asText().contains("outside the 256x256 image"), box + ": " + a.json());
            }
            assertEquals(before, h.get("/api/directions").json().toString(), "the session is unchanged");
            assertEquals(filesBefore, listing(h.work), "the working folder is unchanged");
        }
    }

    /**
     * Export writes the CLI's files and shapes, and they hold what the session holds: directions.npy
     * [k, d] float32 equal to the discovered unit rows (to float32 rounding, 2^-24 relative, so
     * 1e-7 on unit components); edited_code.npy [1, L, d] equal to the W+ original plus strength x
     * direction on every layer (float64 arithmetic, 1e-12); edited_0.npy [1, S, L, d] the same per
     * grid strength; the PNGs readable at the image size; the record naming the method.
     */
    @Test
    void exportWritesTheCliFilesWithTheSessionsNumbers() throws Exception {
        try (StudioHarness h = new StudioHarness()) {
            JsonNode job = h.discoverMouth(4);
            JsonNode dirs = job.get("result").get("directions");
            long top = dirs.get(0).get("id").asLong();
            JsonNode ex = h.post("/api/export", "{\"folder\": \"exports/one\", \"direction\": " + top + ", \"strength\": 2, \"min\": -4, \"max\": 4, \"steps\": 5, \"region\": "
                    + StudioHarness.MOUTH_JSON + "}").json();
            Path out = h.work.resolve("exports/one");
            assertEquals("exports/one", ex.get("folder").asText(), ex.toString());
            NpyArray d = Npy.read(out.resolve("directions.npy"));
            assertArrayEquals(new long[]{4, 64}, d.shape());
            assertEquals("<f4", d.dtype());
            for (int i = 0; i < 4; i++) {
                double[] v = h.server.studio().vector(dirs.get(i).get("id").asLong());
                for (int j = 0; j < 64; j++) assertEquals(v[j], d.data()[i * 64 + j], 1e-7);
            }
            assertArrayEquals(new long[]{4}, Npy.read(out.resolve("eigenvalues.npy")).shape());
            double[] n = h.server.studio().vector(top);
            NpyArray orig = Npy.read(out.resolve("originals.npy")), code = Npy.read(out.resolve("edited_code.npy")), grid = Npy.read(out.resolve("edited_0.npy"));
            assertArrayEquals(new long[]{1, 8, 64}, orig.shape());
            assertArrayEquals(new long[]{1, 8, 64}, code.shape());
            assertArrayEquals(new long[]{1, 5, 8, 64}, grid.shape());
            double[] alphas = {-4, -2, 0, 2, 4};
            for (int l = 0; l < 8; l++)
                for (int j = 0; j < 64; j++) {
                    double o = orig.data()[l * 64 + j];
                    assertEquals(o + 2 * n[j], code.data()[l * 64 + j], 1e-12);
                    for (int s = 0; s < 5; s++) assertEquals(o + alphas[s] * n[j], grid.data()[(s * 8 + l) * 64 + j], 1e-12);
                }
            assertArrayEquals(new long[]{1, 64}, Npy.read(out.resolve("latents.npy")).shape());
            BufferedImage img = ImageIO.read(out.resolve("image.png").toFile());
            assertEquals(256, img.getWidth());
            assertNotNull(ImageIO.read(out.resolve("grid_0.png").toFile()));
            assertTrue(Files.exists(out.resolve("locality_0.csv")));
            JsonNode rec = StudioHarness.JSON.readTree(out.resolve("studio.json").toFile());
            assertEquals("resefa", rec.get("discovery").get("method").asText());
            assertEquals("demo", rec.get("model").asText());
            assertTrue(Files.exists(out.resolve(".ganfactor-manifest")));
            // a second export into the same folder is refused, the first stays as it was
            assertEquals(400, h.post("/api/export", "{\"folder\": \"exports/one\", \"direction\": " + top + "}").status());
        }
    }

    /**
     * InterFaceGAN's conditioning removes the condition exactly (the result is a unit vector
     * orthogonal to it, to 1e-12 in float64), an uploaded boundary equals the same file read from
     * the working folder, and LowRankGAN's "make it local" gives the library's projection
     * ({@code LocalEdit.project}, as {@code ganfactor localize}) at the session's code: a unit
     * vector parallel to it to 1e-9, from a null space of between 1 and d - 1 dimensions.
     */
    @Test
    void boundariesConditioningAndMakeItLocal() throws Exception {
        try (StudioHarness h = new StudioHarness()) {
            Npy.writeFloat64(h.work.resolve("b1.npy"), Directions.randomUnit(64, 11), 1, 64);
            double[] raw2 = Directions.randomUnit(64, 12);
            for (int i = 0; i < 64; i++) raw2[i] *= 3;   // not unit: the studio normalises
            Npy.writeFloat64(h.work.resolve("b2.npy"), raw2, 1, 64);
            long b1 = h.post("/api/boundary", "{\"path\": \"b1.npy\"}").json().get("id").asLong();
            long b2 = h.post("/api/boundary", "{\"path\": \"b2.npy\"}").json().get("id").asLong();
            long up = h.postBytes("/api/upload?name=b2.npy", Files.readAllBytes(h.work.resolve("b2.npy"))).json().get("upload").asLong();
            long b2u = h.post("/api/boundary", "{\"upload\": " + up + "}").json().get("id").asLong();
            assertArrayEquals(h.server.studio().vector(b2), h.server.studio().vector(b2u), 0.0);

            JsonNode c = h.post("/api/condition", "{\"primal\": " + b1 + ", \"conditions\": [" + b2 + "]}").json();
            double[] p = h.server.studio().vector(c.get("id").asLong());
            double[] u2 = h.server.studio().vector(b2);
            assertEquals(1.0, Directions.norm(p), 1e-12);
            assertEquals(0.0, Directions.dot(p, u2), 1e-12);
            assertEquals(Directions.dot(p, h.server.studio().vector(b1)), c.get("cos_with_primal").asDouble(), 1e-12);

            String mouth = "{\"part\": \"mouth\"}";
            // no lambda given: the registry's default, auto (for d = 64, 1/sqrt(d) = 1/8: 1/60 leaves the demo's background low-rank part
            // nearly empty), which the page reads from the registry's listing; the library call below with 0.125 gives the same direction
            JsonNode lrg = null;
            for (JsonNode m : h.get("/api/info").json().get("methods")) if (m.get("name").asText().equals("lowrankgan")) lrg = m;
            assertNotNull(lrg);
            boolean auto = false;
            for (JsonNode s : lrg.get("settings")) auto |= s.get("name").asText().equals("rpca-lambda") && s.get("default").asText().equals("auto");
            assertTrue(auto, lrg.toString());
            JsonNode l = h.post("/api/localize", "{\"direction\": " + b1 + ", \"region\": " + mouth + "}").json();
            JsonNode lj = h.await(l.get("id").asLong(), 120);
            assertEquals("done", lj.get("state").asText(), lj.toString());
            assertTrue(lj.get("result").get("null_space_dimension").asInt() > 0 && lj.get("result").get("null_space_dimension").asInt() < 64, lj.toString());
            // the studio's projection is the library's (ganfactor localize / edit --local) at the session's code
            Generator g = TestSupport.demo32();
            double[][] rows = {h.server.studio().vector(b1)};
            Latents code = Latents.fromSeed(g, LatentSpace.W, 0, 1, 1.0, 8);
            LowRankGan.Options lo = new LowRankGan.Options();
            lo.rpca.lambda = 0.125;
            LocalEdit.project(g, code, Regions.parse("mask:mouth", 256, g), 256, rows, new int[]{0}, lo, ganfactor.pipeline.RunContext.QUIET);
            long localId = lj.get("result").get("directions").get(0).get("id").asLong();
            double[] local = h.server.studio().vector(localId);
            assertEquals(1.0, Directions.norm(local), 1e-9);
            assertEquals(1.0, Directions.absCos(local, rows[0]), 1e-9);
            // and it makes the edit local: the mouth's inside/outside MSE ratio of the projected
            // direction at least doubles the raw random boundary's (measured on the CLI with a random
            // direction on the demo: 1.03 before, 6.31 after; 2x leaves room for another code and draw)
            double before = h.post("/api/edit", "{\"direction\": " + b1 + ", \"strength\": 3, \"region\": " + mouth + "}").json().get("ratio").asDouble();
            double after = h.post("/api/edit", "{\"direction\": " + localId + ", \"strength\": 3, \"region\": " + mouth + "}").json().get("ratio").asDouble();
            assertTrue(after > 2 * before, "make it local: inside/outside ratio " + before + " before, " + after + " after");
        }
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
