package org.kindling.nn.optim;

/** PyTorch 1.13's strong-Wolfe line search and cubic interpolation, used by {@link LBFGS}. */
final class LineSearch {
    private LineSearch() {}

    /**
     * Evaluates f and its gradient at {@code x + t*d}: returns [f, g...]; parameters are restored.
     */
    @FunctionalInterface
    interface Objective {
        double[] at(double[] x, double t, double[] d);
    }

    record Result(double f, double[] g, double t, int evals) {}

    static double cubicInterpolate(
            double x1,
            double f1,
            double g1,
            double x2,
            double f2,
            double g2,
            Double lo,
            Double hi) {
        double xmin = lo != null ? lo : (x1 <= x2 ? x1 : x2);
        double xmax = hi != null ? hi : (x1 <= x2 ? x2 : x1);
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2sq = d1 * d1 - g1 * g2;
        if (d2sq >= 0) {
            double d2 = Math.sqrt(d2sq);
            double minPos;
            if (x1 <= x2) {
                minPos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
            } else {
                minPos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            }
            return Math.min(Math.max(minPos, xmin), xmax);
        }
        return (xmin + xmax) / 2.0;
    }

    static Result strongWolfe(
            Objective obj,
            double[] x,
            double t,
            double[] d,
            double f,
            double[] g,
            double gtd,
            double toleranceChange) {
        final double c1 = 1e-4;
        final double c2 = 0.9;
        final int maxLs = 25;
        double dNorm = LBFGS.absMax(d);
        g = g.clone();
        double[] e = obj.at(x, t, d);
        double fNew = e[0];
        double[] gNew = grad(e);
        int evals = 1;
        double gtdNew = LBFGS.dot(gNew, d);
        double tPrev = 0;
        double fPrev = f;
        double[] gPrev = g;
        double gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;
        double[] bracket;
        double[] bracketF;
        double[][] bracketG;
        double[] bracketGtd = new double[2];
        while (true) {
            if (lsIter >= maxLs) {
                bracket = new double[] {0, t};
                bracketF = new double[] {f, fNew};
                bracketG = new double[][] {g, gNew};
                break;
            }
            if (fNew > (f + c1 * t * gtd) || (lsIter > 1 && fNew >= fPrev)) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew.clone()};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -c2 * gtd) {
                bracket = new double[] {t};
                bracketF = new double[] {fNew};
                bracketG = new double[][] {gNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bracket = new double[] {tPrev, t};
                bracketF = new double[] {fPrev, fNew};
                bracketG = new double[][] {gPrev, gNew.clone()};
                bracketGtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            gPrev = gNew.clone();
            gtdPrev = gtdNew;
            e = obj.at(x, t, d);
            fNew = e[0];
            gNew = grad(e);
            evals++;
            gtdNew = LBFGS.dot(gNew, d);
            lsIter++;
        }
        boolean insufProgress = false;
        int lowPos = bracketF[0] <= bracketF[bracketF.length - 1] ? 0 : 1;
        int highPos = 1 - lowPos;
        while (!done && lsIter < maxLs) {
            if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) {
                break;
            }
            t =
                    cubicInterpolate(
                            bracket[0],
                            bracketF[0],
                            bracketGtd[0],
                            bracket[1],
                            bracketF[1],
                            bracketGtd[1],
                            null,
                            null);
            double bmax = Math.max(bracket[0], bracket[1]);
            double bmin = Math.min(bracket[0], bracket[1]);
            double eps = 0.1 * (bmax - bmin);
            if (Math.min(bmax - t, t - bmin) < eps) {
                if (insufProgress || t >= bmax || t <= bmin) {
                    t = Math.abs(t - bmax) < Math.abs(t - bmin) ? bmax - eps : bmin + eps;
                    insufProgress = false;
                } else {
                    insufProgress = true;
                }
            } else {
                insufProgress = false;
            }
            e = obj.at(x, t, d);
            fNew = e[0];
            gNew = grad(e);
            evals++;
            gtdNew = LBFGS.dot(gNew, d);
            lsIter++;
            if (fNew > (f + c1 * t * gtd) || fNew >= bracketF[lowPos]) {
                bracket[highPos] = t;
                bracketF[highPos] = fNew;
                bracketG[highPos] = gNew.clone();
                bracketGtd[highPos] = gtdNew;
                lowPos = bracketF[0] <= bracketF[1] ? 0 : 1;
                highPos = 1 - lowPos;
            } else {
                if (Math.abs(gtdNew) <= -c2 * gtd) {
                    done = true;
                } else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
                    bracket[highPos] = bracket[lowPos];
                    bracketF[highPos] = bracketF[lowPos];
                    bracketG[highPos] = bracketG[lowPos];
                    bracketGtd[highPos] = bracketGtd[lowPos];
                }
                bracket[lowPos] = t;
                bracketF[lowPos] = fNew;
                bracketG[lowPos] = gNew.clone();
                bracketGtd[lowPos] = gtdNew;
            }
        }
        return new Result(bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals);
    }

    private static double[] grad(double[] e) {
        double[] g = new double[e.length - 1];
        System.arraycopy(e, 1, g, 0, g.length);
        return g;
    }
}
