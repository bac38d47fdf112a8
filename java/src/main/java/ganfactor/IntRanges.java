package ganfactor;

import java.util.TreeSet;

/** Index lists as users type them: "all", "3", "0,2,4", "4-7", "0-3,8"; ascending, without repeats. */
public final class IntRanges {
    private IntRanges() {}

    /**
     * Parses {@code spec} against {@code count} valid indices 0..count-1. {@code what} names the
     * setting in error messages, through {@link InputException#ref(String)} where it is one
     * ({@code ref("index") + " (3 directions)"}), so each front end words it.
     */
    public static int[] parse(String spec, int count, String what) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("all")) {
            int[] all = new int[count];
            for (int i = 0; i < count; i++) all[i] = i;
            return all;
        }
        String usage = what + ": bad list '" + spec + "': expected all, a number, a range like 4-7 or a list like 0,2,4-6";
        TreeSet<Integer> set = new TreeSet<>();
        try {
            for (String part : spec.split(",", -1)) {
                String t = part.trim();
                int dash = t.indexOf('-', 1);
                int a, b;
                if (dash > 0) {
                    a = Integer.parseInt(t.substring(0, dash).trim());
                    b = Integer.parseInt(t.substring(dash + 1).trim());
                    if (b < a) throw new InputException(what + ": range '" + t + "' runs backwards");
                } else {
                    a = b = Integer.parseInt(t);
                }
                if (a < 0 || b >= count)
                    throw new InputException(what + ": '" + t + "' is out of range 0-" + (count - 1));
                for (int i = a; i <= b; i++) set.add(i);
            }
        } catch (NumberFormatException e) {
            throw new InputException(usage);
        }
        return set.stream().mapToInt(Integer::intValue).toArray();
    }
}
