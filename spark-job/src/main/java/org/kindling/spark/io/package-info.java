/** Models on any Hadoop file system, written atomically. */
package org.kindling.spark.io;
