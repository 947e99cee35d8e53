package org.kindling.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kindling.nn.Init;
import org.kindling.nn.Linear;
import org.kindling.nn.Module;
import org.kindling.nn.Sequential;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.optim.SGD;
import org.kindling.nn.training.KindlingBackend;
import org.kindling.nn.training.ModelDefinition;
import org.kindling.nn.training.ModelState;
import org.kindling.nn.training.OptimizerSpec;
import org.kindling.nn.training.Trainer;
import org.kindling.nn.training.TrainingPosition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Both ways of saving, for every zoo model, and every way a file can be wrong. */
class ModelArchiveTest {
    @TempDir Path tmp;

    static INDArray input(String name) {
        long[] s = Zoo.inputShape(name);
        long size =
                Math.min(
                        s[1],
                        name.equals("alexnet")
                                        || name.startsWith("resnet") && !name.endsWith("cifar")
                                ? 64
                                : s[1]);
        Nd4j.getRandom().setSeed(5);
        return Nd4j.rand(DataType.FLOAT, 2, s[0], size, size);
    }

    /** The whole-model archive of live module {@code m} (SGD lr 0.01, nothing frozen). */
    static ModelArchive archive(String name, Module m, Map<String, Object> info) {
        ModelDefinition d =
                KindlingBackend.define(
                        m,
                        name,
                        Zoo.inputShape(name.split("\\+")[0]),
                        10,
                        OptimizerSpec.sgd(0.01),
                        List.of());
        return new ModelArchive(KindlingBackend.stateOf(m, d, TrainingPosition.start(0)), info);
    }

    static Path save(Path file, ModelArchive a) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            a.write(out);
        }
        return file;
    }

    static ModelArchive load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ModelArchive.read(in, file.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "cifarnet",
                "tudui",
                "lenet5",
                "alexnet",
                "vgg11",
                "vgg16",
                "resnet18",
                "resnet34",
                "resnet50",
                "resnet18_cifar"
            })
    void everyZooModelRoundTripsWholeAndAsStateDict(String name) throws Exception {
        Module m = Zoo.create(name, 10);
        if (name.startsWith("resnet")) {
            m.train();
            m.forward(input(name)); // moves BatchNorm running statistics away from their defaults
        }
        m.eval();
        INDArray x = input(name);
        INDArray expected = m.forward(x);

        ModelArchive whole =
                load(save(tmp.resolve("m.kindling"), archive(name, m, Map.of("k", "v"))));
        assertEquals(expected, whole.module().eval().forward(x), "whole");
        assertEquals("v", whole.info().get("k"));

        Path st = tmp.resolve("m.safetensors");
        try (OutputStream out = Files.newOutputStream(st)) {
            SafeTensors.write(StateDict.of(m), Map.of(), out);
        }
        Module fresh = Zoo.create(name, 10);
        try (InputStream in = Files.newInputStream(st)) {
            StateDict.load(fresh, SafeTensors.read(in, st.toString()).tensors(), true);
        }
        assertEquals(expected, fresh.eval().forward(x), "state_dict");
    }

    @Test
    void aModifiedModelIsRebuiltExactlyFromItsSpec() throws Exception {
        Sequential vgg = (Sequential) Zoo.create("vgg11", 1000);
        ((Sequential) vgg.child("classifier")).addModule("add_linear", new Linear(1000, 10));
        vgg.eval();
        INDArray x = input("vgg11").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
        ModelArchive back =
                load(save(tmp.resolve("vgg.kindling"), archive("vgg11+add_linear", vgg, Map.of())));
        assertEquals(vgg.toString(), back.module().toString());
        assertEquals(vgg.eval().forward(x), back.module().eval().forward(x));
    }

    @Test
    void optimizerStateTravelsWithTheWholeModel() throws Exception {
        Module net = Zoo.create("lenet5", 10);
        Trainer t =
                new Trainer(
                        net,
                        Zoo.inputShape("lenet5"),
                        new CrossEntropyLoss(),
                        new SGD(net, 0.1, 0.9));
        t.step(
                Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28),
                Nd4j.createFromArray(new long[] {1, 2, 3, 4}));
        ModelDefinition d =
                KindlingBackend.define(
                        net,
                        "lenet5",
                        Zoo.inputShape("lenet5"),
                        10,
                        new OptimizerSpec("sgd", 0.1, 0.9),
                        List.of());
        ModelState state = ModelState.of(d, t, new TrainingPosition(1, 1, 7));
        ModelArchive back = load(save(tmp.resolve("l.kindling"), new ModelArchive(state)));
        assertArrayEquals(t.optimizerState(), back.state().optimizerState());
        assertArrayEquals(t.parameters(), back.state().parameters());
        assertEquals(d, back.state().definition());
        assertEquals(new TrainingPosition(1, 1, 7), back.state().position());
    }

    /**
     * The archive format is frozen by a file saved with format version 1; later versions must load
     * it.
     */
    @Test
    void anArchiveSavedByFormatVersion1StillLoads() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/lenet5-format1.kindling")) {
            ModelArchive a = ModelArchive.read(in, "lenet5-format1.kindling");
            assertEquals("lenet5", a.state().definition().name());
            assertEquals(61_706, a.module().numParameters());
            assertEquals(1 + 61_706, a.state().optimizerState().length);
            INDArray x = Nd4j.ones(DataType.FLOAT, 1, 1, 28, 28);
            INDArray logits = a.module().eval().forward(x);
            // the logits the saving version computed, stored in the archive's provenance
            @SuppressWarnings("unchecked")
            List<Double> expected = (List<Double>) a.info().get("logits_of_ones");
            for (int i = 0; i < 10; i++) {
                assertEquals(expected.get(i), logits.getDouble(0, i), 1e-6);
            }
        }
    }

    static byte[] archive(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return b.toByteArray();
    }

    static String readError(byte[] bytes) {
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> ModelArchive.read(new ByteArrayInputStream(bytes), "bad.kindling"));
        return e.getMessage();
    }

    byte[] goodArchive() throws IOException {
        Init.manualSeed(1);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        archive("cifarnet", Zoo.create("cifarnet", 10), Map.of()).write(b);
        return b.toByteArray();
    }

    @Test
    void aTruncatedArchiveIsReportedNotLoaded() throws Exception {
        byte[] good = goodArchive();
        String msg = readError(Arrays.copyOf(good, good.length / 2));
        assertTrue(msg.startsWith("bad.kindling:"), msg);
    }

    @Test
    void aForeignFileIsNotAKindlingArchive() {
        String msg = readError("just some text, not a zip".getBytes(StandardCharsets.UTF_8));
        assertTrue(
                msg.startsWith(
                        "bad.kindling: not a whole Kindling model archive (no model.json entry"),
                msg);
    }

    @Test
    void aNewerFormatVersionIsRefused() throws Exception {
        String json = "{\"format\": \"kindling-model\", \"format_version\": 99}";
        String msg =
                readError(archive(Map.of("model.json", json.getBytes(StandardCharsets.UTF_8))));
        assertEquals(
                "bad.kindling: format_version 99 is not supported (this Kindling reads 1..2)", msg);
    }

    @Test
    void aSpecNamingAForeignClassIsRefused() throws Exception {
        String json =
                "{\"format\": \"kindling-model\", \"format_version\": 1, \"architecture\": {\"name\": \"x\", \"num_classes\": 10,"
                        + " \"spec\": {\"type\": \"Sequential\", \"children\": {\"0\": {\"type\": \"java.lang.ProcessBuilder\"}}}}}";
        String msg =
                readError(archive(Map.of("model.json", json.getBytes(StandardCharsets.UTF_8))));
        assertEquals(
                "bad.kindling: model definition: model.0: unknown module type 'java.lang.ProcessBuilder'; registered types: ",
                msg.substring(0, msg.indexOf("[")));
        assertTrue(msg.contains("Conv2d, Dropout, Flatten"), msg);
    }

    @Test
    void corruptParametersAreReportedWithTheEntry() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (java.util.zip.ZipInputStream z =
                new java.util.zip.ZipInputStream(new ByteArrayInputStream(goodArchive()))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) entries.put(e.getName(), z.readAllBytes());
        }
        byte[] params = entries.get("parameters.safetensors");
        entries.put("parameters.safetensors", Arrays.copyOf(params, params.length - 1000));
        String msg = readError(archive(entries));
        assertTrue(
                msg.startsWith(
                        "bad.kindling: entry parameters.safetensors has "
                                + (params.length - 1000)
                                + " bytes with CRC-32"),
                msg);
    }

    @Test
    void anArchiveThatLostAnEntryIsRefusedNamingIt() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (java.util.zip.ZipInputStream z =
                new java.util.zip.ZipInputStream(new ByteArrayInputStream(goodArchive()))) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) entries.put(e.getName(), z.readAllBytes());
        }
        entries.remove("optimizer.safetensors");
        String msg = readError(archive(entries));
        assertTrue(
                msg.startsWith(
                        "bad.kindling: entry optimizer.safetensors is missing (the archive lists it with "),
                msg);
    }

    @Test
    void aStateDictWithWrongShapesOrKeysListsThemAll() {
        Module m = Zoo.create("cifarnet", 10);
        Map<String, INDArray> sd = StateDict.of(m);
        sd.put("7.weight", Nd4j.zeros(DataType.FLOAT, 64, 1000));
        sd.remove("8.bias");
        sd.put("extra.weight", Nd4j.zeros(DataType.FLOAT, 2));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StateDict.load(m, sd, true));
        assertEquals(
                "Error(s) in loading state_dict: missing keys [8.bias]; unexpected keys [extra.weight]; size mismatch for [7.weight: file has [64, 1000], model has [64, 1024]];",
                e.getMessage());
    }

    @Test
    void nonStrictLoadingReportsMissingAndUnexpectedKeysLikePyTorch() {
        Module m = Zoo.create("cifarnet", 10);
        Map<String, INDArray> sd = StateDict.of(Zoo.create("cifarnet", 10));
        sd.remove("8.bias");
        sd.put("9.weight", Nd4j.zeros(DataType.FLOAT, 2));
        StateDict.LoadResult r = StateDict.load(m, sd, false);
        assertEquals(List.of("8.bias"), r.missingKeys());
        assertEquals(List.of("9.weight"), r.unexpectedKeys());
        assertEquals(sd.get("0.weight"), m.namedParameters().get("0.weight").data());
    }

    @Test
    void aHeaderLengthBeyondTheFileIsNotSafetensors() {
        byte[] bad = new byte[16];
        Arrays.fill(bad, 0, 4, (byte) 0xff);
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> SafeTensors.read(new ByteArrayInputStream(bad), "w.safetensors"));
        assertEquals(
                "w.safetensors: not a safetensors file (header length 4294967295 is outside 2..104857600)",
                e.getMessage());
        bad[3] = 0;
        e =
                assertThrows(
                        IOException.class,
                        () -> SafeTensors.read(new ByteArrayInputStream(bad), "w.safetensors"));
        assertEquals(
                "w.safetensors: truncated safetensors file (header of 16777215 bytes is cut short)",
                e.getMessage());
    }
}
