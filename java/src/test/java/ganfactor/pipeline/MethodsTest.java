package ganfactor.pipeline;

import ganfactor.SettingException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The method registry's own rules: names, defaults that parse back, refusals that name the setting. */
class MethodsTest {

    @Test
    void eachSettingOnceWithADefaultThatParsesBack() {
        Set<String> methods = new HashSet<>();
        for (Method m : Methods.ALL) {
            assertTrue(methods.add(m.name()), "method named twice: " + m.name());
            assertSame(m, Methods.named(m.name().toUpperCase()));
            Set<String> names = new HashSet<>();
            for (Setting<?> s : m.settings()) {
                assertTrue(names.add(s.name()), m.name() + ": setting named twice: " + s.name());
                assertTrue(s.name().matches("[a-z][a-z0-9-]*"), "a flag-shaped name: " + s.name());
                assertFalse(s.help().isBlank(), s.name());
                // a concrete default is a value its own parser accepts and gives back
                if (s.defaultValue() != null) assertEquals(s.defaultValue(), s.parse(s.label(s.defaultValue())), s.name());
            }
            assertNotNull(m.setting("k"), m.name() + " keeps k directions");
        }
        // a setting shared by several methods is one object (one default), not a copy per method
        for (Method a : Methods.ALL)
            for (Method b : Methods.ALL)
                for (Setting<?> s : a.settings())
                    if (b.setting(s.name()) != null) assertSame(s, b.setting(s.name()), s.name() + " in " + a.name() + " and " + b.name());
    }

    @Test
    void refusalsNameTheSetting() {
        MethodRequest r = MethodRequest.of(Methods.RESEFA);
        SettingException e = assertThrows(SettingException.class, () -> r.with("eps", "-1"));
        assertEquals("eps", e.setting());
        assertEquals("eps must be a positive finite number, got -1", e.getMessage());
        assertEquals("--eps must be a positive finite number, got -1", e.worded("--eps"));
        assertEquals("regularize", assertThrows(SettingException.class, () -> r.with("regularize", "lots")).setting());
        assertEquals("k", assertThrows(SettingException.class, () -> r.with("k", "-2")).setting());
        assertEquals("k", assertThrows(SettingException.class, () -> r.with("k", "2.5")).setting());
        SettingException foreign = assertThrows(SettingException.class, () -> r.with("samples", "100"));
        assertTrue(foreign.getMessage().contains("a setting of ganspace"), foreign.getMessage());
        SettingException unknown = assertThrows(SettingException.class, () -> r.with("colour", "blue"));
        assertTrue(unknown.getMessage().contains("not a setting of resefa"), unknown.getMessage());
        assertEquals("method", assertThrows(SettingException.class, () -> Methods.named("magic")).setting());
        assertEquals("method", assertThrows(SettingException.class, () -> Methods.regional("sefa")).setting());
    }

    @Test
    void requestsAreValuesAndRecordWhatWasGiven() {
        MethodRequest a = MethodRequest.of("resefa").with("regularize", "paper").with("k", "4");
        MethodRequest b = MethodRequest.of("resefa").with(Methods.K, 4).with(Methods.REGULARIZE, ganfactor.method.ReSeFa.Regularization.PAPER);
        assertEquals(a, b);
        assertEquals(ganfactor.method.ReSeFa.Regularization.PAPER, a.get(Methods.REGULARIZE));
        assertEquals(1e-3, a.get(Methods.EPS));   // not given: the default
        assertEquals(java.util.List.of("regularize", "k"), a.describe().get("given"));
        assertEquals(java.util.Map.of("regularize", "paper", "k", "4"), a.givenTexts());
        // a request round-trips through its text form (the C API's and Spark's)
        assertEquals(a, MethodRequest.of("resefa").withAll(a.givenTexts()));
        // the original is unchanged by with()
        MethodRequest base = MethodRequest.of("resefa");
        base.with("k", "9");
        assertFalse(base.given(Methods.K));
        assertThrows(IllegalArgumentException.class, () -> base.get(Methods.SAMPLES));
    }
}
