package org.kindling.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.kindling.nn.Conv2d;
import org.kindling.nn.Linear;
import org.kindling.nn.Module;
import org.kindling.nn.Sequential;
import org.kindling.nn.Tensor;
import org.kindling.nn.functional.F;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each layer owns its spec encoding; the registry only maps names to types. */
class ModuleTypesTest {

    /** A user-defined layer: y = scale * relu(x), with its own spec encoding. */
    public static final class ScaledReLU extends Module {
        final double scale;

        public ScaledReLU(double scale) {
            this.scale = scale;
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor r = F.relu(x);
            return Tensor.derived(r.data().mul(scale), g -> new INDArray[] {g.mul(scale)}, r);
        }

        @Override
        public long[] outputShape(long[] in) {
            return in.clone();
        }

        @Override
        protected JsonObject config() {
            JsonObject c = new JsonObject();
            c.addProperty("scale", scale);
            return c;
        }

        @Override
        protected String describe() {
            return "ScaledReLU(scale=" + scale + ")";
        }

        /** Its spec encoding. */
        public static final class Type extends ModuleType<ScaledReLU> {
            public Type() {
                super("ScaledReLU", ScaledReLU.class);
            }

            @Override
            public ScaledReLU fromConfig(SpecConfig c) {
                return new ScaledReLU(c.d("scale"));
            }
        }
    }

    /** A layer nobody registered. */
    static final class Unregistered extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }

        @Override
        public long[] outputShape(long[] in) {
            return in;
        }

        @Override
        protected String describe() {
            return "Unregistered";
        }
    }

    @Test
    void aUserDefinedLayerRegistersItsTypeAndIsRebuiltExactly() {
        ModuleTypes.register(new ScaledReLU.Type());
        Sequential m = new Sequential(new Linear(4, 3), new ScaledReLU(2.5), new Linear(3, 2));
        JsonObject spec = ModuleSpecs.toJson(m);
        assertEquals(
                "ScaledReLU",
                spec.getAsJsonObject("children").getAsJsonObject("1").get("type").getAsString());
        Module back =
                ModuleSpecs.fromJson(JsonParser.parseString(spec.toString()).getAsJsonObject());
        assertEquals(m.toString(), back.toString());
        StateDict.load(back, StateDict.of(m), true);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 4);
        assertEquals(m.forward(x), back.forward(x));
    }

    @Test
    void readingAnUnknownTypeNamesItAndTheRegisteredOnes() {
        JsonObject spec =
                JsonParser.parseString(
                                "{\"type\":\"Sequential\",\"children\":{\"0\":{\"type\":\"Conv3d\"}}}")
                        .getAsJsonObject();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModuleSpecs.fromJson(spec));
        assertTrue(
                e.getMessage()
                        .startsWith("model.0: unknown module type 'Conv3d'; registered types: ["),
                e.getMessage());
        for (String t :
                new String[] {"Conv2d", "MaxPool2d", "Linear", "Sequential", "BatchNorm2d"}) {
            assertTrue(e.getMessage().contains(t), e.getMessage());
        }
    }

    @Test
    void writingAnUnregisteredLayerFailsNamingItsClass() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ModuleSpecs.toJson(new Sequential(new Unregistered())));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "module class org.kindling.nn.io.ModuleTypesTest$Unregistered has no registered ModuleType"),
                e.getMessage());
    }

    @Test
    void aBadConfigValueNamesThePathTheKeyAndTheValue() {
        JsonObject spec =
                JsonParser.parseString(
                                "{\"type\":\"Sequential\",\"children\":{\"0\":{\"type\":\"Linear\",\"config\":{\"in_features\":\"four\",\"out_features\":2,\"bias\":true}}}}")
                        .getAsJsonObject();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModuleSpecs.fromJson(spec));
        assertEquals(
                "model.0 (Linear): 'in_features' must be an integer but was: \"four\"",
                e.getMessage());
    }

    @Test
    void everyBuiltInTypeIsRegisteredUnderItsClassName() {
        for (Class<?> c :
                new Class<?>[] {
                    Conv2d.class, Linear.class, Sequential.class, org.kindling.nn.Dropout.class
                }) {
            assertEquals(c.getSimpleName(), ModuleTypes.byName(c.getSimpleName()).name());
        }
    }
}
