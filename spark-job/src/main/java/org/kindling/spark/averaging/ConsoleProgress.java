package org.kindling.spark.averaging;

import java.io.PrintStream;
import java.util.Map;

/**
 * Prints progress to a stream: settings, one line per round (or every n rounds), epoch summaries.
 */
public final class ConsoleProgress implements TrainingListener {
    private final PrintStream out;
    private final int every;

    /**
     * @param out where to print
     * @param every print every n-th round (and always the last of an epoch)
     */
    public ConsoleProgress(PrintStream out, int every) {
        this.out = out;
        this.every = Math.max(1, every);
    }

    @Override
    public void onStart(Map<String, Object> settings) {
        out.println("Kindling parameter averaging:");
        settings.forEach((k, v) -> out.printf("  %-22s %s%n", k, v));
    }

    @Override
    public void onRound(
            int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {
        if (round % every == 0 || round == rounds) {
            out.printf(
                    "epoch %d/%d  round %d/%d  loss %.4f  %.0f images/s%n",
                    epoch, epochs, round, rounds, loss, imagesPerSecond);
        }
    }

    @Override
    public void onEpoch(
            int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {
        out.printf(
                "epoch %d/%d done in %.1f s: mean train loss %.4f, test accuracy %s%n",
                epoch,
                epochs,
                seconds,
                trainLoss,
                Double.isNaN(testAccuracy) ? "n/a" : String.format("%.2f%%", 100 * testAccuracy));
    }
}
