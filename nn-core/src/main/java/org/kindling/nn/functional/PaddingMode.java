package org.kindling.nn.functional;

/** How {@link F#pad} fills the border, like PyTorch's {@code padding_mode}. */
public enum PaddingMode {
    /** Constant zero ({@code 'zeros'}). */
    ZEROS,
    /** Mirror without repeating the edge ({@code 'reflect'}); pad must be smaller than the size. */
    REFLECT,
    /** Repeat the edge value ({@code 'replicate'}). */
    REPLICATE,
    /** Wrap around ({@code 'circular'}); pad must not exceed the size. */
    CIRCULAR;

    /** Parses PyTorch's spelling: zeros, reflect, replicate, circular. */
    public static PaddingMode parse(String s) {
        for (PaddingMode m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "padding_mode must be one of zeros, reflect, replicate, circular but was: '"
                        + s
                        + "'");
    }
}
