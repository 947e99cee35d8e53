/**
 * Losses ({@code L1Loss}, {@code MSELoss}, {@code CrossEntropyLoss}) with PyTorch's reductions and
 * gradients.
 */
package org.kindling.nn.loss;
