package org.kindling.spark.averaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void withoutATerminalEveryNthRoundIsOnePlainLineWithoutCarriageReturns() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true), 2, false);
        for (int r = 1; r <= 5; r++) {
            p.onRound(1, 2, r, 5, 2.5 - 0.1 * r, 800 + r);
        }
        p.onEpoch(1, 2, 2.2, 0.4321, 3.4);
        String text = buf.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), text);
        String[] lines = text.split("\n");
        assertEquals(4, lines.length, text); // rounds 2, 4, 5 (last) and the epoch summary
        assertEquals("epoch 1/2  round 2/5  loss 2.3000  802 images/s", lines[0]);
        assertEquals("epoch 1/2  round 5/5  loss 2.0000  805 images/s", lines[2]);
        assertEquals(
                "epoch 1/2 done in 3.4 s: mean train loss 2.2000, test accuracy 43.21%", lines[3]);
    }

    @Test
    void theBarShowsEpochRoundLossSpeedAndEta() {
        String line = ConsoleProgress.barLine(2, 3, 6, 24, 1.23456, 812.4, 75);
        assertEquals(
                "epoch 2/3 [######..................] round 6/24 loss 1.2346 812 images/s ETA 1:15",
                line.stripTrailing());
        assertEquals(100, line.length(), "padded so a shorter redraw erases the previous one");
        assertEquals("--:--", ConsoleProgress.eta(Double.NaN));
        assertEquals("1:01:01", ConsoleProgress.eta(3661));
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndTheSummaryStartsANewLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true), 10, true);
        p.onRound(1, 1, 1, 2, 2.0, 100);
        p.onRound(1, 1, 2, 2, 1.5, 120);
        p.onEpoch(1, 1, 1.75, Double.NaN, 1.0);
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(2, text.chars().filter(c -> c == '\r').count(), text);
        assertTrue(
                text.startsWith("\repoch 1/1 [" + "#".repeat(12) + ".".repeat(12) + "] round 1/2"),
                text);
        assertTrue(
                text.contains(
                        "\repoch 1/1 ["
                                + "#".repeat(24)
                                + "] round 2/2 loss 1.5000 120 images/s ETA 0:00"),
                text);
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, text);
        assertEquals(
                "epoch 1/1 done in 1.0 s: mean train loss 1.7500, test accuracy n/a", lines[1]);
    }
}
