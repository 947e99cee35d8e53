/** Engine specifics: putting ND4J on its fast CPU path and checking it stays there. */
package org.kindling.nn.internal;
