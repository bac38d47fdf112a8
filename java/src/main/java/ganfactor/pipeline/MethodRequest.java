package ganfactor.pipeline;

import ganfactor.SettingException;

import ganfactor.torch.ComputeDevice;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A method and the settings given for it (the rest keep the registry's defaults): what a front end
 * builds from its flags, form or arguments, and the one way to a {@link Solver}. Immutable; {@link
 * #with} returns a new request. A setting of another method is refused, naming both methods.
 */
public final class MethodRequest {
    private final Method method;
    private final Map<Setting<?>, Object> given;

    private MethodRequest(Method method, Map<Setting<?>, Object> given) {
        this.method = method;
        this.given = Collections.unmodifiableMap(given);
    }

    public static MethodRequest of(Method m) {
        return new MethodRequest(m, new LinkedHashMap<>());
    }

    /** The registry's method named {@code method} with every setting at its default. */
    public static MethodRequest of(String method) {
        return of(Methods.named(method));
    }

    public Method method() {
        return method;
    }

    /** This request with {@code name} given as {@code text} (checked now). */
    public MethodRequest with(String name, String text) {
        Setting<?> s = method.setting(name);
        if (s == null) throw foreign(name);
        return put(s, s.parse(text));
    }

    /** This request with {@code s} set to {@code value} (null: back to its default). */
    public <T> MethodRequest with(Setting<T> s, T value) {
        if (method.setting(s.name()) != s) throw foreign(s.name());
        return put(s, value);
    }

    /** This request with every entry of {@code texts} given (names as {@link Setting#name()}). */
    public MethodRequest withAll(Map<String, String> texts) {
        MethodRequest r = this;
        for (Map.Entry<String, String> e : texts.entrySet()) r = r.with(e.getKey(), e.getValue());
        return r;
    }

    private MethodRequest put(Setting<?> s, Object value) {
        Map<Setting<?>, Object> m = new LinkedHashMap<>(given);
        if (value == null) m.remove(s);
        else m.put(s, value);
        return new MethodRequest(method, m);
    }

    private SettingException foreign(String name) {
        for (Method other : Methods.ALL)
            if (other != method && other.setting(name) != null)
                return new SettingException(name, "is a setting of " + other.name() + "; this run's method is " + method.name());
        return new SettingException(name, "is not a setting of " + method.name() + " (its settings: "
                + String.join(", ", method.settings().stream().map(Setting::name).toList()) + ")");
    }

    /** The value of {@code s}: as given, else its default (null: chosen from the problem). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> s) {
        if (method.setting(s.name()) != s) throw new IllegalArgumentException(s.name() + " is not a setting of " + method.name());
        return given.containsKey(s) ? (T) given.get(s) : s.defaultValue();
    }

    /** Whether {@code s} was given (not left at its default). */
    public boolean given(Setting<?> s) {
        return given.containsKey(s);
    }

    /** The solver this request describes, its solves on {@code device} (null: the CPU). */
    public Solver solver(ComputeDevice device) {
        return method.factory().apply(this, device == null ? ComputeDevice.CPU : device);
    }

    /**
     * The record's view: every setting of the method with its value (a default chosen from the
     * problem by its rule), and the names of those given rather than defaulted.
     */
    public Map<String, Object> describe() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : method.settings()) {
            Object v = get(s);
            values.put(s.name(), v == null ? s.defaultLabel() : v instanceof Enum<?> ? s.label(v) : v);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.name());
        m.put("settings", values);
        m.put("given", given.keySet().stream().map(Setting::name).toList());
        return m;
    }

    /** The given settings as text, name=value, in the order given (the C API's and Spark's form). */
    public Map<String, String> givenTexts() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<Setting<?>, Object> e : given.entrySet()) m.put(e.getKey().name(), e.getKey().label(e.getValue()));
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodRequest r && r.method == method && r.given.equals(given);
    }

    @Override
    public int hashCode() {
        return method.name().hashCode() * 31 + given.hashCode();
    }

    @Override
    public String toString() {
        return method.name() + givenTexts();
    }
}
