/**
 * {@code torch.optim}: SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta (flat, averageable state) and
 * LBFGS, with PyTorch 1.13's update rules.
 */
package org.kindling.nn.optim;
