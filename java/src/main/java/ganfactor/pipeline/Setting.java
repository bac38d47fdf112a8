package ganfactor.pipeline;

import ganfactor.SettingException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting of a method, declared once in {@link Methods}: its name (the CLI's {@code --NAME},
 * the studio's field, the C API's and Spark's key), its default, the check of a value given as
 * text, and its help text. Front ends build their flags and form fields from these; none declares
 * a setting or a default of its own.
 *
 * @param <T> the parsed value's type; a null default means "chosen from the problem" and {@link
 *            #defaultLabel} says how
 */
public final class Setting<T> {
    /** How a value is given: a switch (no value on the command line), a choice of words, or any text or number. */
    public enum Kind { FLAG, CHOICE, INTEGER, NUMBER, TEXT }

    private final String name;
    private final Kind kind;
    private final T defaultValue;
    private final String defaultLabel;
    private final List<String> choices;
    private final String help;
    private final Function<String, T> parser;

    private Setting(String name, Kind kind, T defaultValue, String defaultLabel, List<String> choices, String help, Function<String, T> parser) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.defaultLabel = defaultLabel;
        this.choices = choices;
        this.help = help;
        this.parser = parser;
    }

    /** An integer in [min, max]. */
    public static Setting<Integer> integer(String name, int dflt, int min, int max, String help) {
        return new Setting<>(name, Kind.INTEGER, dflt, Integer.toString(dflt), List.of(), help, s -> (int) parseLong(name, s, min, max));
    }

    /** A long integer in [min, max] (a seed). */
    public static Setting<Long> longInteger(String name, long dflt, long min, long max, String help) {
        return new Setting<>(name, Kind.INTEGER, dflt, Long.toString(dflt), List.of(), help, s -> parseLong(name, s, min, max));
    }

    /** A finite positive number; {@code dflt} null: chosen from the problem, as {@code autoLabel} says. */
    public static Setting<Double> positive(String name, Double dflt, String autoLabel, String help) {
        return new Setting<>(name, Kind.NUMBER, dflt, dflt == null ? autoLabel : Double.toString(dflt), List.of(), help, s -> {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new SettingException(name, "must be a number, got '" + s + "'");
            }
            if (!(v > 0) || !Double.isFinite(v)) throw new SettingException(name, "must be a positive finite number, got " + s);
            return v;
        });
    }

    /** One of an enum's constants, by its lower-case name ({@code parse} may also take aliases). */
    public static <E extends Enum<E>> Setting<E> choice(String name, E dflt, Function<String, E> parse, String help) {
        List<String> words = Arrays.stream(dflt.getDeclaringClass().getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        return new Setting<>(name, Kind.CHOICE, dflt, dflt.name().toLowerCase(Locale.ROOT), words, help, s -> {
            try {
                return parse.apply(s);
            } catch (RuntimeException e) {
                throw new SettingException(name, "must be " + or(words) + ", got '" + s + "'");
            }
        });
    }

    /** A switch; {@code dflt} null: on or off by the problem, as {@code autoLabel} says (then it can also be turned off). */
    public static Setting<Boolean> flag(String name, Boolean dflt, String autoLabel, String help) {
        return new Setting<>(name, Kind.FLAG, dflt, dflt == null ? autoLabel : dflt.toString(), List.of("true", "false"), help, s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new SettingException(name, "must be true or false, got '" + s + "'");
        });
    }

    /** Free text, checked by {@code check} (which throws {@link SettingException} or {@link ganfactor.InputException}). */
    public static Setting<String> text(String name, String dflt, java.util.function.Consumer<String> check, String help) {
        return new Setting<>(name, Kind.TEXT, dflt, dflt, List.of(), help, s -> {
            check.accept(s);
            return s;
        });
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The default (null: chosen from the problem; {@link #defaultLabel} says how). */
    public T defaultValue() {
        return defaultValue;
    }

    public String defaultLabel() {
        return defaultLabel;
    }

    /** The words a {@link Kind#CHOICE} accepts (a flag's: true and false). */
    public List<String> choices() {
        return choices;
    }

    public String help() {
        return help;
    }

    /** The value of {@code text}, checked; a refusal is a {@link SettingException} naming this setting. */
    public T parse(String text) {
        Objects.requireNonNull(text, name);
        String t = text.trim();
        try {
            return parser.apply(t);
        } catch (SettingException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SettingException(name, "is not valid: " + ganfactor.Messages.oneLine(e, ganfactor.InputException::ref));
        }
    }

    /** A value as the record and the help show it. */
    public String label(Object value) {
        if (value == null) return defaultLabel;
        if (value instanceof Enum<?> e) return e.name().toLowerCase(Locale.ROOT);
        return value.toString();
    }

    @Override
    public String toString() {
        return name;
    }

    private static long parseLong(String name, String s, long min, long max) {
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new SettingException(name, "must be an integer, got '" + s + "'");
        }
        if (v < min || v > max) throw new SettingException(name, "must be between " + min + " and " + max + ", got " + s);
        return v;
    }

    static String or(List<String> words) {
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
