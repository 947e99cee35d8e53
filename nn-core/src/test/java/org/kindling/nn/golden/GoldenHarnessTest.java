package org.kindling.nn.golden;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The golden harness itself: a case must run with exactly the settings and inputs it records, so an
 * argument the harness cannot apply, or a changed input, fails instead of passing silently.
 */
class GoldenHarnessTest {
    private static JsonObject golden;

    @BeforeAll
    static void load() throws Exception {
        golden = Golden.load();
    }

    private static JsonObject namedCase(String section, String name) {
        for (JsonElement e : golden.getAsJsonArray(section)) {
            JsonObject c = e.getAsJsonObject();
            if (c.get("name").getAsString().equals(name)) return c.deepCopy();
        }
        throw new AssertionError(section + " has no case " + name);
    }

    @Test
    void theUnmodifiedCasesPass() {
        OptimizerCases.check(namedCase("optimizers", "Adam_default"));
        LbfgsCases.check(namedCase("lbfgs", "LBFGS_quadratic_maxiter1"));
    }

    @Test
    void anOptimizerKeywordArgumentTheHarnessCannotApplyFailsTheCase() {
        JsonObject c = namedCase("optimizers", "Adam_default");
        c.getAsJsonObject("kwargs").addProperty("foo_bar", 0.5);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OptimizerCases.check(c));
        assertTrue(e.getMessage().contains("foo_bar=0.5"), e.getMessage());
    }

    @Test
    void maximizeIsAcceptedOnlyWhenFalse() {
        JsonObject c = namedCase("optimizers", "SGD_plain");
        c.getAsJsonObject("hyperparams").addProperty("maximize", true);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> OptimizerCases.check(c));
        assertTrue(e.getMessage().contains("maximize=true"), e.getMessage());
    }

    @Test
    void everyRecordedSettingIsApplied() {
        // A setting the harness dropped would leave the results unchanged and the case passing.
        String[][] changes = {
            {"Adam_default", "eps", "0.5"},
            {"Adam_default", "betas", "[0.5,0.999]"},
            {"RMSprop_default", "alpha", "0.5"},
            {"Adagrad_default", "eps", "0.5"},
            {"Adadelta_lr1.0", "eps", "0.5"},
            {"SGD_momentum0.9", "dampening", "0.5"},
        };
        for (String[] ch : changes) {
            for (String where : new String[] {"kwargs", "hyperparams"}) {
                JsonObject c = namedCase("optimizers", ch[0]);
                c.getAsJsonObject(where).add(ch[1], parse(ch[2]));
                assertThrows(
                        AssertionError.class,
                        () -> OptimizerCases.check(c),
                        ch[0] + " with " + where + "." + ch[1] + "=" + ch[2]);
            }
        }
    }

    @Test
    void lbfgsUsesTheQuadraticOfTheCase() {
        JsonObject a = namedCase("lbfgs", "LBFGS_quadratic_maxiter1");
        a.getAsJsonArray("A").set(1, new JsonPrimitive(8.0));
        assertThrows(AssertionError.class, () -> LbfgsCases.check(a));
        JsonObject c = namedCase("lbfgs", "LBFGS_quadratic_maxiter1");
        c.getAsJsonArray("C").set(0, new JsonPrimitive(0.25));
        assertThrows(AssertionError.class, () -> LbfgsCases.check(c));
    }

    @Test
    void anLbfgsKeywordArgumentTheHarnessCannotApplyFailsTheCase() {
        JsonObject c = namedCase("lbfgs", "LBFGS_quadratic_maxiter1");
        c.getAsJsonObject("kwargs").addProperty("foo_bar", 3);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LbfgsCases.check(c));
        assertTrue(e.getMessage().contains("foo_bar=3"), e.getMessage());
    }

    @Test
    void lbfgsAppliesEveryRecordedSetting() {
        JsonObject c = namedCase("lbfgs", "LBFGS_quadratic_default");
        c.getAsJsonObject("hyperparams").addProperty("history_size", 1);
        assertThrows(AssertionError.class, () -> LbfgsCases.check(c));
    }

    private static JsonElement parse(String json) {
        return com.google.gson.JsonParser.parseString(json);
    }
}
