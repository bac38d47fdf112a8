package ganfactor;

import java.util.function.Function;

/**
 * A method setting the library refuses, named by its registry name (the setting's registry name), with
 * the problem worded so that "NAME PROBLEM" reads as a sentence ("eps must be positive, got -1").
 * Each front end words the name its own way (a flag {@code --eps}, a form field, a C argument)
 * without rewriting the problem; {@link #getMessage()} is the plain "NAME PROBLEM". The message
 * starts with a {@link #ref(String) reference} to the setting, so {@link #worded(Function)} words
 * it as every other refusal's.
 */
public final class SettingException extends InputException {
    private final String setting;
    private final String problem;

    public SettingException(String setting, String problem) {
        super(ref(setting) + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    /** The setting's registry name (also the studio's field and the C API's key). */
    public String setting() {
        return setting;
    }

    /** What is wrong, to follow the setting's name ("must be positive, got -1"). */
    public String problem() {
        return problem;
    }

    /** The message with the setting named as {@code name} (a flag, a form field). */
    public String worded(String name) {
        return worded(s -> s.equals(setting) ? name : s);
    }
}
