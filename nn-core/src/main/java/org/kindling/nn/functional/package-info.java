/**
 * {@code torch.nn.functional}: the operations with their backward passes; convolution and pooling
 * run as libnd4j ops (oneDNN on CPU).
 */
package org.kindling.nn.functional;
