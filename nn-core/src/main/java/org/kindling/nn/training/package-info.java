/**
 * A model ready to train: the PyTorch training step and flat parameters, optimizer state and
 * buffers for data-parallel training.
 */
package org.kindling.nn.training;
