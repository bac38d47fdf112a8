package ganfactor.studio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A request's JSON object with typed, checked getters: a missing optional field gives its default,
 * a field of the wrong type, a non-finite number or a value out of range is a 400 naming the field.
 * (JSON itself has no NaN; a client that sends the string "NaN" for a number gets the same 400.)
 */
public final class Body {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonNode node;

    private Body(JsonNode node) {
        this.node = node;
    }

    public static Body parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) return new Body(JSON.createObjectNode());
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().split("\\R")[0];
            throw StudioException.bad("the request body is not valid JSON: " + m);
        }
        if (n == null || n.isNull() || n.isMissingNode()) n = JSON.createObjectNode();
        if (!n.isObject()) throw StudioException.bad("the request body must be a JSON object");
        return new Body(n);
    }

    public static Body of(JsonNode n) {
        return new Body(n == null ? MissingNode.getInstance() : n);
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    public Body object(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw StudioException.bad("'" + field + "' must be an object");
        return new Body(v);
    }

    /** A scalar field (string, number or boolean) as text, for a registry setting to parse; null when absent. */
    public String text(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) throw StudioException.bad("'" + field + "' must be a string, a number or true/false, got " + shortText(v));
        if (v.asText().length() > 1000) throw StudioException.bad("'" + field + "' is longer than 1000 characters");
        // 5.0 is the integer 5 to a page's JavaScript: give integral numbers without the fraction
        if (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < 1e15) return Long.toString((long) v.asDouble());
        return v.asText();
    }

    public String string(String field, String dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual()) throw StudioException.bad("'" + field + "' must be a string");
        if (v.asText().length() > 1000) throw StudioException.bad("'" + field + "' is longer than 1000 characters");
        return v.asText();
    }

    public double number(String field, double dflt, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw StudioException.bad("'" + field + "' must be a finite number, got " + shortText(v));
        double x = v.asDouble();
        if (!Double.isFinite(x)) throw StudioException.bad("'" + field + "' must be a finite number, got " + x);
        if (x < min || x > max) throw StudioException.bad("'" + field + "' must be between " + fmt(min) + " and " + fmt(max) + ", got " + fmt(x));
        return x;
    }

    public long integer(String field, long dflt, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble())))
            throw StudioException.bad("'" + field + "' must be an integer, got " + shortText(v));
        if (!v.canConvertToLong()) throw StudioException.bad("'" + field + "' is out of range");
        long x = v.asLong();
        if (x < min || x > max) throw StudioException.bad("'" + field + "' must be between " + min + " and " + max + ", got " + x);
        return x;
    }

    public long requiredInteger(String field, long min, long max) {
        if (!has(field)) throw StudioException.bad("'" + field + "' is required");
        return integer(field, 0, min, max);
    }

    /** An array of integers (ids), at most {@code maxLength} long. */
    public List<Long> integers(String field, int maxLength) {
        JsonNode v = node.get(field);
        List<Long> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw StudioException.bad("'" + field + "' must be an array of integers");
        if (v.size() > maxLength) throw StudioException.bad("'" + field + "' holds more than " + maxLength + " values");
        for (JsonNode e : v) {
            if (!e.isIntegralNumber()) throw StudioException.bad("'" + field + "' must hold integers, got " + shortText(e));
            out.add(e.asLong());
        }
        return out;
    }

    /** An array of number arrays (boxes), each of length {@code width}, finite. */
    public List<double[]> rows(String field, int width, int maxRows) {
        JsonNode v = node.get(field);
        List<double[]> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw StudioException.bad("'" + field + "' must be an array of [" + width + "] arrays");
        if (v.size() > maxRows) throw StudioException.bad("'" + field + "' holds more than " + maxRows + " entries");
        for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) {
            JsonNode r = it.next();
            if (!r.isArray() || r.size() != width) throw StudioException.bad("each entry of '" + field + "' must be an array of " + width + " numbers");
            double[] row = new double[width];
            for (int i = 0; i < width; i++) {
                if (!r.get(i).isNumber() || !Double.isFinite(r.get(i).asDouble()))
                    throw StudioException.bad("'" + field + "' must hold finite numbers, got " + shortText(r.get(i)));
                row[i] = r.get(i).asDouble();
            }
            out.add(row);
        }
        return out;
    }

    private static String shortText(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    /** Jackson, for the answers. */
    public static ObjectMapper mapper() {
        return JSON;
    }
}
