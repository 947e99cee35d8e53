/**
 * CIFAR-10 and CIFAR-100 in their official binary layouts, read with Spark's fixed-length binary-
 * record input.
 */
package org.kindling.data.cifar;
