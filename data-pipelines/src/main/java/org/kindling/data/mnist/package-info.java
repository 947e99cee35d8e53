/** MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST), raw or gzip. */
package org.kindling.data.mnist;
