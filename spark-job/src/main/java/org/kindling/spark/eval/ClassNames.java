package org.kindling.spark.eval;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.kindling.data.cifar.Cifar10;
import org.kindling.data.folder.ImageFolder;

/** Class names of a dataset in label order, where the data names them. */
public final class ClassNames {
    private ClassNames() {}

    /**
     * CIFAR-10's ten names; a folder tree's sorted class folders ({@code root/train} if it is
     * split); null for datasets whose files carry no names (CIFAR-100, MNIST-format files).
     */
    public static List<String> of(String dataset, String data, Configuration conf) {
        switch (dataset) {
            case "cifar10":
                return Cifar10.CLASSES;
            case "folder":
                String root = data;
                try {
                    Path train = new Path(data, "train");
                    if (train.getFileSystem(conf).exists(train)
                            && train.getFileSystem(conf).exists(new Path(data, "test"))) {
                        root = train.toString();
                    }
                } catch (IOException e) {
                    return null;
                }
                return ImageFolder.classes(root, conf);
            default:
                return null;
        }
    }
}
