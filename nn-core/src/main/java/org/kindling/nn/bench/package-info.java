/** Throughput benchmarks run against the PyTorch peer (see bench/ at the project root). */
package org.kindling.nn.bench;
