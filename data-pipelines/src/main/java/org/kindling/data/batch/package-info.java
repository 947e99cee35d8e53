/**
 * Turning records into ND4J mini-batches inside a task: float32 NCHW, scaled to [0, 1] and
 * normalised per channel.
 */
package org.kindling.data.batch;
