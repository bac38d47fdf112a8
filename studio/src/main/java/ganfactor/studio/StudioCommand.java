package ganfactor.studio;

import ganfactor.InputException;
import ganfactor.cli.CommandPlugin;
import ganfactor.cli.Converters;
import ganfactor.cli.Main;
import ganfactor.cli.Printing;
import ganfactor.cli.RunOptions;
import ganfactor.generator.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "studio", header = "Open the interactive editor in the browser: boxes, discovery, sliders, boundaries, export.", description = {
        "An interactive editor in the browser: pick a seed or a latent .npy row, draw boxes, discover directions",
        "(ReSeFa, LowRankGAN, SeFa, GANSpace), slide along them, load InterFaceGAN boundaries, export the CLI's files.",
        "Serves one page on the loopback address (--host to change) and prints its address; Ctrl-C stops it."})
public final class StudioCommand implements Callable<Integer> {
    /** How the command line finds this command: {@code META-INF/services/ganfactor.cli.CommandPlugin}. */
    public static final class Plugin implements CommandPlugin {
        @Override
        public String name() {
            return "studio";
        }

        @Override
        public Object command() {
            return new StudioCommand();
        }
    }

    @Option(names = "--model", defaultValue = "demo", description = ganfactor.generator.Generator.MODEL_SPECS + " (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE}, this machine only)")
    String host;

    @Option(names = "--port", defaultValue = "8765", description = "port (0 = any free port) (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--workdir", defaultValue = ".", description = "working folder: the only place the studio reads latents and boundaries from and exports to (default: the current folder)")
    Path workdir;

    @Option(names = "--precision", defaultValue = "float32", converter = Converters.Precision.class, description = "generator precision: float32 or float64 (default: ${DEFAULT-VALUE})")
    org.bytedeco.pytorch.global.torch.ScalarType precision;

    @Option(names = "--heartbeat-ms", defaultValue = "10000", description = "cancel a running job when no page has asked about it for this long (a closed tab) (default: ${DEFAULT-VALUE})")
    long heartbeat;

    @Option(names = "--max-upload-mb", defaultValue = "64", description = "largest .npy upload in MiB (default: ${DEFAULT-VALUE})")
    int maxUploadMb;

    @Mixin RunOptions run = new RunOptions();

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new InputException("--port must be between 0 and 65535, got " + port);
        if (heartbeat < 200) throw new InputException("--heartbeat-ms must be at least 200");
        if (maxUploadMb < 1 || maxUploadMb > 4096) throw new InputException("--max-upload-mb must be between 1 and 4096");
        ganfactor.torch.ComputeDevice dev = run.start();
        try (Generator g = Printing.opened(Generator.open(model))) {
            g.to(precision);
            g.to(dev);
            Studio studio = new Studio(g, new Studio.Config(workdir, heartbeat, (long) maxUploadMb << 20, Main.debug()));
            StudioServer server;
            try {
                server = StudioServer.start(studio, host, port);
            } catch (RuntimeException e) {
                studio.close();
                throw new InputException("cannot listen on " + host + ":" + port + ": " + Generator.oneLine(e));
            }
            try (server) {
                System.out.println("ganfactor studio: " + server.url() + "  (model " + g.source() + ", working folder " + studio.workFolder().root() + "; Ctrl-C stops)");
                while (!Main.cancellation().isCancelled()) Thread.sleep(200);
            }
        }
        return 0;
    }
}
