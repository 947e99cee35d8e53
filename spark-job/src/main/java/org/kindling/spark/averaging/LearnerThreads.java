package org.kindling.spark.averaging;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.kindling.nn.internal.Nd4jRuntime;
import org.kindling.nn.training.Learner;

/**
 * Runs all work on a learner on one thread of its own, whichever Spark task thread asks.
 *
 * <p>Why: ND4J workspaces (the step's reused memory) and OpenMP thread teams belong to the calling
 * thread. Spark runs each round's task on whichever executor thread is free, so without this every
 * change of thread learns a new step workspace (fresh off-heap memory the kernel maps and zeroes)
 * and leaves one more idle OpenMP team whose workers spin on the shared cores (async-profiler: two
 * task threads took turns training, each with its own team). A learner's thread ends after {@value
 * #IDLE_SECONDS} s without work; the map forgets learners the pool has dropped.
 */
final class LearnerThreads {
    static final int IDLE_SECONDS = 60;
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final Map<Learner, ThreadPoolExecutor> THREADS = new WeakHashMap<>();

    private LearnerThreads() {}

    /**
     * Runs {@code work} on {@code learner}'s thread and returns its result or rethrows its error.
     */
    static <T> T run(Learner learner, Callable<T> work) {
        Future<T> f = threadOf(learner).submit(work);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the learner was working", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    /**
     * Ends {@code learner}'s thread after its queued work; the thread destroys its ND4J workspaces
     * as it ends (a large model's step workspace is gigabytes of native memory).
     */
    static void retire(Learner learner) {
        ThreadPoolExecutor e;
        synchronized (THREADS) {
            e = THREADS.remove(learner);
        }
        if (e != null) {
            e.shutdown();
        }
    }

    private static ThreadPoolExecutor threadOf(Learner learner) {
        synchronized (THREADS) {
            return THREADS.computeIfAbsent(
                    learner,
                    k -> {
                        ThreadPoolExecutor e =
                                new ThreadPoolExecutor(
                                        1,
                                        1,
                                        IDLE_SECONDS,
                                        TimeUnit.SECONDS,
                                        new LinkedBlockingQueue<>(),
                                        r -> {
                                            // whenever the thread ends (idle timeout or
                                            // retire), its workspaces go with it
                                            Runnable cleaning =
                                                    () -> {
                                                        try {
                                                            r.run();
                                                        } finally {
                                                            // without ND4J's System.gc()
                                                            Nd4jRuntime.releaseWorkspaces();
                                                        }
                                                    };
                                            Thread t =
                                                    new Thread(
                                                            cleaning,
                                                            "kindling-learner-"
                                                                    + COUNT.incrementAndGet());
                                            t.setDaemon(true);
                                            return t;
                                        });
                        e.allowCoreThreadTimeOut(true);
                        return e;
                    });
        }
    }
}
