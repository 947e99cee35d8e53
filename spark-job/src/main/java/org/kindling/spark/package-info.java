/** The Spark side: configuration of a data-parallel training run. */
package org.kindling.spark;
