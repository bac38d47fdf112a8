package ganfactor.pipeline;

import ganfactor.torch.ComputeDevice;

import java.util.List;
import java.util.function.BiFunction;

/**
 * One direction-finding method as the registry ({@link Methods}) knows it: its name, whether it
 * solves a region's Grams, a one-line summary, its settings (each declared once, in {@link
 * Methods}) and how a {@link MethodRequest} becomes its {@link Solver}. Adding a method is one
 * {@link Solver} class and one {@code Method} in {@link Methods#ALL}; every front end (CLI, studio,
 * C API, Spark, benchmarks) then offers it with its settings.
 */
public record Method(String name, boolean regional, String summary, List<Setting<?>> settings,
                     BiFunction<MethodRequest, ComputeDevice, Solver> factory) {
    public Method {
        settings = List.copyOf(settings);
    }

    /** The setting of this method named {@code name}, or null. */
    public Setting<?> setting(String name) {
        for (Setting<?> s : settings) if (s.name().equals(name)) return s;
        return null;
    }

    /** A request for this method with every setting at its default. */
    public MethodRequest request() {
        return MethodRequest.of(this);
    }
}
