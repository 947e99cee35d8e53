/**
 * PyTorch's {@code torch.nn} in Java: {@link org.kindling.nn.Module}, {@link
 * org.kindling.nn.Tensor} (autograd), {@link org.kindling.nn.Sequential} and the layers, with
 * PyTorch's names, defaults, shapes (NCHW) and numbers. No Spark or Hadoop dependency.
 */
package org.kindling.nn;
