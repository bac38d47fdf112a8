package ganfactor.cli;

import ganfactor.Engine;
import picocli.CommandLine.Command;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "info", description = "Print versions, threads and device availability.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (Map.Entry<String, String> e : ganfactor.torch.Devices.info().entrySet())
            System.out.printf("%-18s %s%n", e.getKey(), e.getValue());
        return 0;
    }
}
