/**
 * Folder-per-class image trees (torchvision's ImageFolder layout) read with Spark's binaryFile
 * source.
 */
package org.kindling.data.folder;
