package org.kindling.spark.averaging;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.kindling.data.ImageRecord;
import org.kindling.data.batch.Batch;
import org.kindling.data.batch.Normalization;
import org.kindling.data.transforms.Transform;
import org.kindling.nn.Module;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.loss.CrossEntropyLoss;
import org.kindling.nn.models.Zoo;
import org.kindling.nn.optim.Optimizers;
import org.kindling.nn.training.Trainer;
import org.kindling.spark.TrainingConfig;

/**
 * The executor side of parameter averaging: restore the broadcast model, train k mini-batches of
 * this partition, return the result. Models are cached per task thread, so a round costs one
 * parameter copy, not a model build.
 */
public final class Workers {
    private static final ThreadLocal<Map<TrainingConfig, Trainer>> CACHE =
            ThreadLocal.withInitial(HashMap::new);

    private Workers() {}

    /**
     * A new trainer for {@code cfg}: the zoo model with the frozen prefixes applied, cross-entropy
     * and the configured optimizer.
     *
     * @throws IllegalArgumentException if a freeze prefix matches no parameter
     */
    public static Trainer newTrainer(TrainingConfig cfg) {
        Module net = Zoo.create(cfg.model(), cfg.numClasses());
        for (String prefix : cfg.freeze()) {
            List<String> hits =
                    net.namedParameters().keySet().stream()
                            .filter(k -> k.startsWith(prefix))
                            .toList();
            if (hits.isEmpty()) {
                throw new IllegalArgumentException(
                        "--freeze "
                                + prefix
                                + " matches no parameter of "
                                + cfg.model()
                                + "; parameters: "
                                + net.namedParameters().keySet());
            }
            hits.forEach(k -> net.namedParameters().get(k).requiresGrad(false));
        }
        return new Trainer(
                net,
                Zoo.inputShape(cfg.model()),
                new CrossEntropyLoss(),
                Optimizers.create(cfg.optimizer(), net, cfg.lr(), cfg.momentum()));
    }

    static Trainer cachedTrainer(TrainingConfig cfg) {
        Nd4jRuntime.init(cfg.threadsPerWorker());
        return CACHE.get().computeIfAbsent(cfg, Workers::newTrainer);
    }

    /** Trains round {@code round} of {@code epoch} on one partition. */
    static Iterator<RoundResult> trainRound(
            int partition,
            Iterator<ImageRecord> records,
            TrainingConfig cfg,
            long[] imageShape,
            Normalization norm,
            Transform transform,
            float[][] state,
            int epoch,
            int round) {
        List<ImageRecord> recs = toList(records);
        List<int[]> batches =
                EpochPlan.batches(recs.size(), cfg.batchSize(), cfg.seed(), epoch, partition);
        int from = round * cfg.averagingFrequency();
        int to = Math.min(batches.size(), from + cfg.averagingFrequency());
        if (from >= to) {
            return Collections.emptyIterator();
        }
        Trainer t = cachedTrainer(cfg);
        t.setParameters(state[0]);
        t.setOptimizerState(state[1]);
        t.setBuffers(state[2]);
        double loss = 0;
        long examples = 0;
        SplittableRandom rnd =
                new SplittableRandom(
                        cfg.seed() * 1_000_003L + epoch * 10_007L + partition * 101L + round);
        for (int b = from; b < to; b++) {
            List<ImageRecord> chosen = select(recs, batches.get(b));
            if (transform != null) {
                chosen.replaceAll(r -> transform.apply(r, imageShape, rnd));
            }
            Batch batch = Batch.of(chosen, imageShape, norm, cfg.numClasses(), false);
            loss += t.step(batch.features(), batch.labels());
            examples += batch.size();
        }
        return List.of(
                        RoundResult.of(
                                t.parameters(),
                                t.optimizerState(),
                                t.buffers(),
                                loss,
                                to - from,
                                examples))
                .iterator();
    }

    /** Counts correct predictions on one partition: returns {correct, total}. */
    static Iterator<long[]> evaluate(
            Iterator<ImageRecord> records,
            TrainingConfig cfg,
            long[] imageShape,
            Normalization norm,
            float[][] state) {
        Trainer t = cachedTrainer(cfg);
        t.setParameters(state[0]);
        t.setBuffers(state[2]);
        long correct = 0;
        long total = 0;
        List<ImageRecord> chunk = new ArrayList<>();
        while (records.hasNext() || !chunk.isEmpty()) {
            if (records.hasNext()) {
                chunk.add(records.next());
            }
            if (chunk.size() == 500 || (!records.hasNext() && !chunk.isEmpty())) {
                Batch b = Batch.of(chunk, imageShape, norm, cfg.numClasses(), false);
                correct += t.countCorrect(b.features(), b.labels());
                total += chunk.size();
                chunk.clear();
            }
        }
        return List.of(new long[] {correct, total}).iterator();
    }

    static List<ImageRecord> select(List<ImageRecord> recs, int[] idx) {
        List<ImageRecord> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(recs.get(i));
        return out;
    }

    private static List<ImageRecord> toList(Iterator<ImageRecord> it) {
        List<ImageRecord> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
