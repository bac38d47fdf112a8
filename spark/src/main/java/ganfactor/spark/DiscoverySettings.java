package ganfactor.spark;

import ganfactor.InputException;
import ganfactor.generator.Generator;
import ganfactor.generator.LatentSpace;
import ganfactor.jacobian.JacobianEngine;
import ganfactor.jacobian.Mode;
import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.RunRecord;
import ganfactor.pipeline.Solver;
import ganfactor.region.Region;
import ganfactor.region.Regions;
import ganfactor.region.View;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a discovery job computes, as plain serialisable values that every executor turns into the
 * library's objects ({@link #view}, {@link #regions}, {@link #solver}, {@link #jacobian}) exactly
 * as the command line's {@code discover} does for the same options: the view's default rule, the
 * region parser, the method's solver from the registry ({@link Methods}), as the command line's.
 */
public final class DiscoverySettings implements Serializable {
    public ModelSpec model = ModelSpec.demo();
    public String space = "w";
    /** View grid; null = the official rule for the model's output size. */
    public Integer grid;
    /** sum, mean or none; null = the official rule. */
    public String reduce;
    public List<String> regions = new ArrayList<>();
    public boolean unscaledPresets;
    public String method = "resefa";
    /** The method's settings given (registry names, as text); the rest keep the registry's defaults. */
    public java.util.LinkedHashMap<String, String> methodSettings = new java.util.LinkedHashMap<>();
    public String jacobianMode = "forward";
    public int chunk;
    public long memoryBudget = JacobianEngine.AUTO_BUDGET;
    /** Truncation of codes drawn from seeds (1 = none). */
    public double psi = 1.0;
    /** A line on the executors' stderr every 30 s while a partition works ({@link CodeProgress}); off with --quiet. */
    public boolean progress = true;
    public int truncationLayers = 8;

    public LatentSpace latentSpace() {
        return LatentSpace.parse(space);
    }

    /** The checks that need no generator (the driver runs them first). */
    public void check() {
        latentSpace();
        if (regions.isEmpty()) throw new InputException("--region: at least one region is needed");
        request();
        if (chunk < 0) throw new InputException("--chunk must be >= 0, got " + chunk);
        if (!Double.isFinite(psi)) throw new InputException("--truncation must be a finite number, got " + psi);
        if (truncationLayers < 0) throw new InputException("--truncation-layers must be >= 0");
        Mode.parse(jacobianMode);
    }

    /** The method and its settings as the registry checks them (the command line's {@code discover} builds the same request). */
    public MethodRequest request() {
        return MethodRequest.of(Methods.regional(method)).withAll(methodSettings);
    }

    /** The view: the official rule for the model's output, --grid and --reduce overriding it (as the command line). */
    public View view(Generator g) {
        return View.choose(g.channels(), g.height(), g.width(), grid, reduce);
    }

    public List<Region> regions(Generator g, View view) {
        return Regions.parseAll(regions, view.grid(), g, unscaledPresets);
    }

    /** The solver of {@link #request()}, its solves on the generator's device. */
    public Solver solver(Generator g) {
        return request().solver(g.device());
    }

    public JacobianEngine.Options jacobian() {
        JacobianEngine.Options o = new JacobianEngine.Options();
        o.mode = Mode.parse(jacobianMode);
        o.chunk = chunk;
        o.memoryBudget = memoryBudget;
        return o;
    }

    /** A task's run context: the engine's notes on the executor's stderr (its log); Spark cancels a task by killing it. */
    public ganfactor.pipeline.RunContext context() {
        return ganfactor.pipeline.RunContext.QUIET.withNotes(m -> System.err.println(m));
    }

    /** The settings part of the run record (also each Parquet row's {@code settings} column). */
    public Map<String, Object> record(Generator g, View view, List<Region> rs) {
        RunRecord r = RunRecord.of("ganfactor-spark").generator(g);
        r.put("space", latentSpace().label());
        r.put("view", view.describe());
        r.regions(rs);
        r.put("method", method.toLowerCase(Locale.ROOT));
        r.put("method_settings", request().describe());
        r.put("jacobian", RunRecord.ordered("mode", Mode.parse(jacobianMode).label(), "chunk", chunk, "memory_budget_bytes", memoryBudget));
        r.put("truncation", RunRecord.ordered("psi", psi, "layers", truncationLayers, "applies_to", "codes drawn from seeds"));
        Map<String, Object> m = r.finish();
        m.remove("created");   // the settings, not the moment: identical for every row and every rerun
        m.remove("tool");
        return m;
    }
}
