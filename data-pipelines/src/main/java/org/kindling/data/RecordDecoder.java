package org.kindling.data;

import java.io.Serializable;

/**
 * Turns a compactly stored record into pixels inside a task, one mini-batch at a time: datasets
 * whose records hold encoded images (JPEG/PNG/BMP file bytes) are cached in that form and decoded
 * only when a batch needs them, so memory holds the files, not their pixels.
 */
@FunctionalInterface
public interface RecordDecoder extends Serializable {
    /**
     * The record with CHW pixels of the dataset's image shape.
     *
     * @throws IllegalArgumentException naming the record if it cannot be decoded
     */
    ImageRecord decode(ImageRecord stored);
}
