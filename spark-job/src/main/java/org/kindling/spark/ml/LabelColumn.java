package org.kindling.spark.ml;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads class indices from a label column: integers, or doubles with integral values (what {@code
 * StringIndexer} writes). The number of classes comes from the column's nominal ML attribute when
 * it has one ({@code StringIndexer} sets it), else from the largest label.
 */
final class LabelColumn implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final int index;
    private final int numClasses; // 0 = unknown until the data is seen

    private LabelColumn(String name, int index, int numClasses) {
        this.name = name;
        this.index = index;
        this.numClasses = numClasses;
    }

    /**
     * @throws IllegalArgumentException if {@code labelCol} is missing or not numeric
     */
    static LabelColumn of(StructType schema, String labelCol) {
        if (!Arrays.asList(schema.fieldNames()).contains(labelCol)) {
            throw new IllegalArgumentException(
                    "labelCol '"
                            + labelCol
                            + "' is not a column; the columns are "
                            + Arrays.toString(schema.fieldNames())
                            + " (index string labels with a StringIndexer first)");
        }
        StructField f = schema.apply(labelCol);
        if (!(f.dataType() instanceof NumericType)) {
            throw new IllegalArgumentException(
                    "labelCol '"
                            + labelCol
                            + "' has type "
                            + f.dataType().simpleString()
                            + "; expected class indices as int or double (index string labels"
                            + " with a StringIndexer first)");
        }
        int classes = 0;
        Attribute a = Attribute.fromStructField(f);
        if (a instanceof NominalAttribute n && n.getNumValues().isDefined()) {
            classes = (Integer) n.getNumValues().get();
        }
        return new LabelColumn(labelCol, schema.fieldIndex(labelCol), classes);
    }

    /** Classes the column's metadata declares, or 0 if it declares none. */
    int declaredClasses() {
        return numClasses;
    }

    /**
     * The class index of {@code row}.
     *
     * @throws IllegalArgumentException for a null, negative, fractional or out-of-range label
     */
    int read(Row row) {
        if (row.isNullAt(index)) {
            throw new IllegalArgumentException(
                    "labelCol '" + name + "' is null; expected a class index >= 0");
        }
        double v = ((Number) row.get(index)).doubleValue();
        boolean ok = v >= 0 && v == Math.rint(v) && v <= Integer.MAX_VALUE;
        if (ok && numClasses > 0) {
            ok = v < numClasses;
        }
        if (!ok) {
            throw new IllegalArgumentException(
                    "labelCol '"
                            + name
                            + "' has value "
                            + v
                            + "; expected a class index: "
                            + (numClasses > 0
                                    ? "an integer in 0.."
                                            + (numClasses - 1)
                                            + " (the column's metadata declares "
                                            + numClasses
                                            + " classes)"
                                    : "an integer >= 0"));
        }
        return (int) v;
    }
}
