package org.kindling.spark.averaging;

import java.io.PrintStream;
import java.util.Map;

/**
 * Prints progress to a stream: settings, then per round either a progress bar redrawn in place with
 * {@code \r} (on a terminal) or one plain line every n rounds (CI logs, notebooks, files), and one
 * line per epoch summary.
 *
 * <p>The bar shows epoch, round i/n, the round's loss, images/s and the ETA of the epoch (the
 * remaining rounds at the mean time per round so far this epoch): {@code epoch 1/2 [#####.....]
 * round 5/10 loss 2.1034 812 images/s ETA 0:07}.
 */
public final class ConsoleProgress implements TrainingListener {
    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final int every;
    private final boolean bar;
    private long epochStartNanos = -1;
    private boolean barDrawn;

    /**
     * Plain lines, whatever the stream is.
     *
     * @param out where to print
     * @param every print every n-th round (and always the last of an epoch)
     */
    public ConsoleProgress(PrintStream out, int every) {
        this(out, every, false);
    }

    /**
     * @param out where to print
     * @param every without a bar: print every n-th round (and always the last of an epoch)
     * @param bar redraw one line with {@code \r} (only sensible on a terminal)
     */
    public ConsoleProgress(PrintStream out, int every, boolean bar) {
        this.out = out;
        this.every = Math.max(1, every);
        this.bar = bar;
    }

    /** A bar on {@link System#out} when it is a terminal ({@code System.console() != null}). */
    public static ConsoleProgress forStdout(int every) {
        return new ConsoleProgress(System.out, every, System.console() != null);
    }

    @Override
    public void onStart(Map<String, Object> settings) {
        out.println("Kindling parameter averaging:");
        settings.forEach((k, v) -> out.printf("  %-22s %s%n", k, v));
    }

    @Override
    public void onRound(
            int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {
        long now = System.nanoTime();
        if (round == 1 || epochStartNanos < 0) {
            epochStartNanos = now;
        }
        if (bar) {
            // the first round of an epoch has no elapsed time of its own yet: ETA unknown
            double perRound = round > 1 ? (now - epochStartNanos) / 1e9 / (round - 1) : Double.NaN;
            double eta = perRound * (rounds - round);
            out.print("\r" + barLine(epoch, epochs, round, rounds, loss, imagesPerSecond, eta));
            out.flush();
            barDrawn = true;
        } else if (round % every == 0 || round == rounds) {
            out.println(plainLine(epoch, epochs, round, rounds, loss, imagesPerSecond));
        }
    }

    @Override
    public void onEpoch(
            int epoch, int epochs, double trainLoss, double testAccuracy, double seconds) {
        if (barDrawn) {
            out.println(); // keep the last bar, start the summary on its own line
            barDrawn = false;
        }
        epochStartNanos = -1;
        out.printf(
                "epoch %d/%d done in %.1f s: mean train loss %.4f, test accuracy %s%n",
                epoch,
                epochs,
                seconds,
                trainLoss,
                Double.isNaN(testAccuracy) ? "n/a" : String.format("%.2f%%", 100 * testAccuracy));
    }

    /** One plain progress line (no bar, no {@code \r}). */
    static String plainLine(
            int epoch, int epochs, int round, int rounds, double loss, double imagesPerSecond) {
        return String.format(
                "epoch %d/%d  round %d/%d  loss %.4f  %.0f images/s",
                epoch, epochs, round, rounds, loss, imagesPerSecond);
    }

    /**
     * One bar line, padded to a fixed width so a shorter redraw erases the longer one before it.
     *
     * @param etaSeconds seconds left in the epoch, or NaN when not known yet
     */
    static String barLine(
            int epoch,
            int epochs,
            int round,
            int rounds,
            double loss,
            double imagesPerSecond,
            double etaSeconds) {
        int filled = rounds <= 0 ? 0 : (int) ((long) BAR_WIDTH * round / rounds);
        String line =
                String.format(
                        "epoch %d/%d [%s%s] round %d/%d loss %.4f %.0f images/s ETA %s",
                        epoch,
                        epochs,
                        "#".repeat(filled),
                        ".".repeat(BAR_WIDTH - filled),
                        round,
                        rounds,
                        loss,
                        imagesPerSecond,
                        eta(etaSeconds));
        return String.format("%-100s", line);
    }

    /** {@code m:ss} or {@code h:mm:ss}; {@code --:--} when unknown. */
    static String eta(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
