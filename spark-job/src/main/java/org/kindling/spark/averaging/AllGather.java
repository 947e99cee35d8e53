package org.kindling.spark.averaging;

import java.util.concurrent.TimeUnit;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.RequestMethod$;
import org.apache.spark.RequestToSync;
import org.apache.spark.SparkEnv;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcTimeout;
import org.apache.spark.util.RpcUtils;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;
import scala.reflect.ClassTag$;

/**
 * {@code BarrierTaskContext.allGather} without its polling: Spark's own waits for the coordinator's
 * answer in steps of {@code Thread.sleep(1000)} (so that it can notice a killed task), which makes
 * every exchange last at least a second; a round of the course net trains in about 0.15 s. This
 * sends the same request to the same coordinator ({@code BarrierCoordinator}, on the driver) and
 * waits on the answer itself, returning as soon as it comes; every second without one it checks
 * whether Spark killed the task (a failed stage's coordinator drops its pending requests without
 * answering, and Spark kills the other tasks without interrupting them). The messages come back
 * ordered by partition.
 *
 * <p>Uses Spark's request class ({@code private[spark]} in Scala, public in the bytecode); Spark is
 * pinned in the pom and {@code ExchangeTest} runs it. Not to be mixed with the context's own {@code
 * barrier()}/{@code allGather} in one task (they count the same epochs).
 */
final class AllGather {
    private final BarrierTaskContext task;
    private final RpcEndpointRef coordinator;
    private final int tasks;
    private int epoch;

    AllGather(BarrierTaskContext task) {
        this.task = task;
        this.tasks = task.getTaskInfos().length;
        SparkEnv env = SparkEnv.get();
        this.coordinator = RpcUtils.makeDriverRef("barrierSync", env.conf(), env.rpcEnv());
    }

    /** Sends {@code message} to every task of the stage; returns all tasks' messages. */
    String[] apply(String message) {
        RequestToSync request =
                RequestToSync.apply(
                        tasks,
                        task.stageId(),
                        task.stageAttemptNumber(),
                        task.taskAttemptId(),
                        epoch,
                        task.partitionId(),
                        message,
                        RequestMethod$.MODULE$.ALL_GATHER());
        // the coordinator times out itself (spark.barrier.sync.timeout), as for Spark's allGather
        RpcTimeout forever = new RpcTimeout(Duration.create(365, TimeUnit.DAYS), "barrierTimeout");
        scala.concurrent.Future<String[]> answer =
                coordinator.ask(request, forever, ClassTag$.MODULE$.apply(String[].class));
        try {
            while (true) {
                try {
                    String[] all = Await.result(answer, Duration.create(1, TimeUnit.SECONDS));
                    epoch++;
                    return all;
                } catch (java.util.concurrent.TimeoutException e) {
                    if (task.isInterrupted()) {
                        throw new org.apache.spark.TaskKilledException(
                                "killed while the workers exchanged models");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the workers exchanged models", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(
                    "the workers' model exchange failed: " + e.getMessage(), e);
        }
    }
}
