/**
 * torchvision-like transforms on compact records (before ToTensor), random ones seeded by the
 * caller.
 */
package org.kindling.data.transforms;
