/**
 * The model zoo: the course network, LeNet-5 and torchvision's AlexNet, VGG and ResNet with
 * torchvision's keys.
 */
package org.kindling.nn.models;
