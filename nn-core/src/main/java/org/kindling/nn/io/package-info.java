/**
 * Saving and loading: safetensors state_dicts with PyTorch keys, the whole-model archive and its
 * module-tree spec.
 */
package org.kindling.nn.io;
