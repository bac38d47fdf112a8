package ganfactor.generator;

import ganfactor.InputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code RES[:key=value]...} part of a random generator's spec ({@code stylegan2:256:cbase=16384},
 * {@code stylegan3:256:cfg=r:seed=3}): the resolution, the options in the order given (keys in
 * lower case; {@code seed} kept apart), each message naming the architecture.
 */
record RandomSpec(String arch, int resolution, List<Map.Entry<String, String>> options, String seed) {

    /** Parses {@code spec}; {@code keys}: the options {@code arch} takes, listed in messages as {@code keyList}. */
    static RandomSpec parse(String arch, String spec, Set<String> keys, String keyList) {
        String[] parts = spec.split(":");
        int res;
        try {
            res = Integer.parseInt(parts[0].trim());
        } catch (NumberFormatException e) {
            throw new InputException(arch + ": expected a resolution such as " + arch + ":256, got '" + parts[0] + "'");
        }
        List<Map.Entry<String, String>> options = new ArrayList<>();
        String seed = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            if (p.startsWith("seed=")) {
                seed = p.substring(5).trim();
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) throw new InputException(arch + ": option '" + p + "' must be key=value");
            String k = p.substring(0, eq).trim().toLowerCase(Locale.ROOT), v = p.substring(eq + 1).trim();
            if (!keys.contains(k)) throw new InputException(arch + ": unknown option '" + k + "' (" + keyList + ")");
            options.add(Map.entry(k, v));
        }
        return new RandomSpec(arch, res, options, seed);
    }

    /** The {@code seed=N} option, or {@code dflt}. */
    long seed(long dflt) {
        if (seed == null) return dflt;
        try {
            return Long.parseLong(seed);
        } catch (NumberFormatException e) {
            throw new InputException(arch + ": seed needs an integer, got '" + seed + "'");
        }
    }

    int integer(Map.Entry<String, String> option) {
        try {
            return Integer.parseInt(option.getValue());
        } catch (NumberFormatException e) {
            throw new InputException(arch + ": option " + option.getKey() + " needs a number, got '" + option.getValue() + "'");
        }
    }

    double number(Map.Entry<String, String> option) {
        try {
            return Double.parseDouble(option.getValue());
        } catch (NumberFormatException e) {
            throw new InputException(arch + ": option " + option.getKey() + " needs a number, got '" + option.getValue() + "'");
        }
    }
}
