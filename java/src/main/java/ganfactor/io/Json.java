package ganfactor.io;

import java.util.Collection;
import java.util.Map;

/** A minimal JSON writer for the records ganfactor puts beside every output (maps, lists, strings, numbers, booleans). */
public final class Json {
    private Json() {}

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v == null) sb.append("null");
        else if (v instanceof String s) quote(sb, s);
        else if (v instanceof Double d) sb.append(d.isNaN() || d.isInfinite() ? "null" : num(d));
        else if (v instanceof Float f) sb.append(f.isNaN() || f.isInfinite() ? "null" : num(f.doubleValue()));
        else if (v instanceof Number || v instanceof Boolean) sb.append(v);
        else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) { sb.append("{}"); return; }
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                pad(sb, indent + 1);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), indent + 1);
                if (++i < m.size()) sb.append(',');
                sb.append('\n');
            }
            pad(sb, indent);
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            writeList(sb, c.toArray(), indent);
        } else if (v instanceof double[] a) {
            Object[] o = new Object[a.length];
            for (int i = 0; i < a.length; i++) o[i] = a[i];
            writeList(sb, o, indent);
        } else if (v instanceof int[] a) {
            Object[] o = new Object[a.length];
            for (int i = 0; i < a.length; i++) o[i] = a[i];
            writeList(sb, o, indent);
        } else if (v instanceof long[] a) {
            Object[] o = new Object[a.length];
            for (int i = 0; i < a.length; i++) o[i] = a[i];
            writeList(sb, o, indent);
        } else quote(sb, v.toString());
    }

    private static void writeList(StringBuilder sb, Object[] a, int indent) {
        boolean flat = true;
        for (Object o : a) if (o instanceof Map || o instanceof Collection) { flat = false; break; }
        sb.append('[');
        for (int i = 0; i < a.length; i++) {
            if (!flat) { sb.append('\n'); pad(sb, indent + 1); }
            write(sb, a[i], indent + 1);
            if (i < a.length - 1) sb.append(flat ? ", " : ",");
        }
        if (!flat && a.length > 0) { sb.append('\n'); pad(sb, indent); }
        sb.append(']');
    }

    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return String.valueOf((long) d);
        return String.valueOf(d);
    }

    private static void pad(StringBuilder sb, int n) {
        sb.append("  ".repeat(n));
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
