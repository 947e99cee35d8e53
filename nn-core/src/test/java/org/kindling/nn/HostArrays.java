package org.kindling.nn;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.factory.DataBufferFactory;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Records every ND4J buffer built from a Java array of more than {@link #THRESHOLD} elements while
 * it is open: the signature of a host-side loop over tensor elements.
 *
 * <p>A loop in Java over a tensor's elements reads them out ({@code data().asDouble()}, {@code
 * getDouble}) and has to hand its result back to ND4J as a Java array ({@code Nd4j.create(double[],
 * shape)}, {@code Nd4j.createFromArray(float[])}, ...). All of those go through ND4J's one {@link
 * DataBufferFactory} ({@code Nd4j.DATA_BUFFER_FACTORY_INSTANCE}); while a guard is open that
 * factory is replaced by a {@link Proxy} that delegates every call and notes the calls with a
 * primitive array argument longer than {@link #THRESHOLD} (with the first Kindling stack frame, so
 * a failure points at the loop). Native ops never pass through it with element data: their outputs
 * are allocated by length, not from Java arrays. Shape descriptors and op arguments are short
 * arrays and stay below the threshold. Not covered: a loop that writes element by element with
 * {@code putScalar} into an array allocated by length.
 */
public final class HostArrays implements AutoCloseable {
    /** Longer Java arrays than this are tensor data, not shapes or op arguments. */
    public static final int THRESHOLD = 64;

    private final DataBufferFactory original;
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    private HostArrays() {
        original = Nd4j.getDataBufferFactory();
        set(
                (DataBufferFactory)
                        Proxy.newProxyInstance(
                                DataBufferFactory.class.getClassLoader(),
                                new Class<?>[] {DataBufferFactory.class},
                                (proxy, method, args) -> {
                                    long n = javaArrayLength(args);
                                    if (n > THRESHOLD) {
                                        events.add(
                                                method.getName()
                                                        + " of "
                                                        + n
                                                        + " elements from a Java array, called from "
                                                        + caller());
                                    }
                                    try {
                                        return method.invoke(original, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                }));
    }

    /** Starts recording. */
    public static HostArrays watch() {
        return new HostArrays();
    }

    /** What was recorded so far: one line per buffer built from a long Java array. */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public void close() {
        set(original);
    }

    /**
     * The length of the Java array this call copies into a buffer, or -1: a primitive array
     * argument, or an allocation by length on behalf of {@code Nd4j.createTypedBuffer(array)}
     * (which allocates by length and then copies the array in with {@code setData}).
     */
    private static long javaArrayLength(Object[] args) {
        if (args == null) return -1;
        long length = -1;
        for (Object a : args) {
            if (a != null
                    && a.getClass().isArray()
                    && a.getClass().getComponentType().isPrimitive()) {
                return java.lang.reflect.Array.getLength(a);
            }
            if (length < 0 && (a instanceof Long || a instanceof Integer)) {
                length = ((Number) a).longValue();
            }
        }
        if (length > THRESHOLD && fromJavaArray()) {
            return length;
        }
        return -1;
    }

    private static boolean fromJavaArray() {
        return StackWalker.getInstance()
                .walk(
                        frames ->
                                frames.anyMatch(
                                        f ->
                                                f.getClassName().equals(Nd4j.class.getName())
                                                        && f.getMethodName()
                                                                .equals("createTypedBuffer")));
    }

    private static String caller() {
        for (StackTraceElement e : new Throwable().getStackTrace()) {
            String c = e.getClassName();
            if (c.startsWith("org.kindling.") && !c.equals(HostArrays.class.getName())) {
                return e.toString();
            }
        }
        return "outside Kindling";
    }

    private static void set(DataBufferFactory f) {
        try {
            Field field = Nd4j.class.getDeclaredField("DATA_BUFFER_FACTORY_INSTANCE");
            field.setAccessible(true);
            field.set(null, f);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot replace ND4J's DataBufferFactory (Nd4j.DATA_BUFFER_FACTORY_INSTANCE): "
                            + e,
                    e);
        }
    }
}
