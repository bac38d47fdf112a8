package ganfactor.cli;

import ganfactor.pipeline.MethodRequest;
import ganfactor.pipeline.Methods;
import ganfactor.pipeline.Setting;
import ganfactor.pipeline.Solver;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The region methods (ReSeFa, LowRankGAN) of {@code discover} and {@code solve}: {@code --method}
 * here, every other setting an option built from the registry ({@link RegistryOptions}).
 */
final class MethodOptions {
    /** The settings these commands offer: those of every regional method. */
    static final List<Setting<?>> SETTINGS = Methods.settingsOf(Methods.regionalMethods());

    @Option(names = "--method", defaultValue = "resefa", description = "resefa or lowrankgan (default: ${DEFAULT-VALUE})")
    String method;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    /** The request typed (checked: an option of the other method is an error). */
    MethodRequest request() {
        return RegistryOptions.request(mixee, Methods.regional(method), SETTINGS);
    }

    /** The solver of {@link #request()}, its solves on {@code device}. */
    Solver solver(ganfactor.torch.ComputeDevice device) {
        return request().solver(device);
    }
}
