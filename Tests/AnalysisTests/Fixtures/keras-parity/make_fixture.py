"""Writes keras_parity.json: Keras 3 / TensorFlow outputs of the three networks on the weights
that paper-repro writes, for ModelsKerasParityTests (see README.md in this folder).

Usage (from the repository root, once; never in CI):
    PAPER_REPRO_WRITE_PARITY_WEIGHTS=/tmp/parity-weights swift test --filter ModelsKerasParityTests
    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu safetensors
    /tmp/tfenv/bin/python Tests/AnalysisTests/Fixtures/keras-parity/make_fixture.py /tmp/parity-weights

The models are rebuilt here independently: keras.applications.ResNet50V2 / Xception
(include_top=False, weights=None, input_shape=(77, 77, 1)) with the baseline head
Flatten -> Dropout(0.5) -> Dense(2) -> softmax, and the FPN of Sources/Analysis/Models/
ResNet50V2FPN.swift (the authors' code: UpsampleLike = TF1 nearest resize, half_pixel_centers
False). Weights are assigned by "<layer name>/<variable name>"; every Keras variable must be in
the file and every tensor of the file must be used.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
import keras
from keras import layers
from safetensors.numpy import load_file

SIZE, BATCH = 77, 2
HERE = os.path.dirname(os.path.abspath(__file__))

PROBES = {
    "resnet50v2": ["conv1_conv", "pool1_pool", "conv2_block3_out", "conv3_block1_0_conv", "conv4_block1_preact_relu",
                   "conv5_block1_preact_relu", "post_bn", "post_relu", "dense"],
    "xception": ["block1_conv1", "block1_conv2_act", "block2_pool", "add", "add_2", "add_10", "block13_pool",
                 "block14_sepconv1_bn", "block14_sepconv2_act", "dense"],
    "fpn": ["conv1_conv", "conv4_block1_preact_relu", "conv5_block1_preact_relu", "post_relu",
            "C5_reduced", "P4_merged", "P4_upsampled", "P3_merged", "P3", "P4", "P5", "P6", "P7",
            "heads_concat", "classifier"],
}


def model_input():
    """x[n, y, x] = 0.5 + 0.5 sin(0.37 y + 0.23 x + 0.71 n) (ModelBenchmark.input)."""
    n, y, x = np.meshgrid(np.arange(BATCH), np.arange(SIZE), np.arange(SIZE), indexing="ij")
    v = 0.5 + 0.5 * np.sin(0.37 * y + 0.23 * x + 0.71 * n)
    return v.astype(np.float32)[..., None]


class UpsampleLike(layers.Layer):
    """keras-retinanet's UpsampleLike with TF1 resize semantics (align_corners and
    half_pixel_centers False): src = floor(dst * in / out)."""

    def call(self, inputs):
        source, target = inputs
        shape = tf.shape(target)
        return tf.compat.v1.image.resize_nearest_neighbor(source, (shape[1], shape[2]),
                                                          align_corners=False, half_pixel_centers=False)

    def compute_output_shape(self, input_shapes):
        source, target = input_shapes
        return (source[0], target[1], target[2], source[3])


def baseline(backbone):
    x = layers.Flatten(name="flatten")(backbone.output)
    x = layers.Dropout(0.5, name="dropout")(x)
    x = layers.Dense(2, name="dense")(x)
    return keras.Model(backbone.input, layers.Activation("softmax", name="softmax")(x))


def fpn():
    base = keras.applications.ResNet50V2(include_top=False, weights=None, input_shape=(SIZE, SIZE, 1))
    c3 = base.get_layer("conv4_block1_preact_relu").output
    c4 = base.get_layer("conv5_block1_preact_relu").output
    c5 = base.get_layer("post_relu").output
    f = 256
    c5r = layers.Conv2D(f, 1, padding="same", name="C5_reduced")(c5)
    p5 = layers.Conv2D(f, 3, padding="same", name="P5")(c5r)
    p5u = UpsampleLike(name="P5_upsampled")([c5r, c4])
    c4r = layers.Conv2D(f, 1, padding="same", name="C4_reduced")(c4)
    p4m = layers.Concatenate(name="P4_merged")([p5u, c4r])
    p4u = UpsampleLike(name="P4_upsampled")([p4m, c3])
    p4 = layers.Conv2D(f, 3, padding="valid", name="P4")(p4m)
    c3r = layers.Conv2D(f, 1, padding="same", name="C3_reduced")(c3)
    p3m = layers.Concatenate(name="P3_merged")([p4u, c3r])
    p3 = layers.Conv2D(f, 3, padding="valid", name="P3")(p3m)
    p6 = layers.Conv2D(f, 3, strides=2, padding="same", name="P6")(c5)
    p7 = layers.Conv2D(f, 3, strides=2, padding="same", name="P7")(layers.Activation("relu", name="C6_relu")(p6))
    heads = []
    for level, node in [("P3", p3), ("P4", p4), ("P5", p5), ("P6", p6), ("P7", p7)]:
        h = layers.Flatten(name=f"{level}_flatten")(node)
        h = layers.Dropout(0.5, name=f"{level}_dropout")(h)
        h = layers.Dense(2, name=f"{level}_dense")(h)
        heads.append(layers.Activation("relu", name=f"{level}_relu")(h))
    merged = layers.Concatenate(name="heads_concat")(heads)
    logits = layers.Dense(2, name="classifier")(merged)
    return keras.Model(base.input, layers.Activation("softmax", name="softmax")(logits))


def build(name):
    keras.backend.clear_session()   # Keras's automatic names (conv2d, add, ...) start afresh
    if name == "resnet50v2":
        return baseline(keras.applications.ResNet50V2(include_top=False, weights=None, input_shape=(SIZE, SIZE, 1)))
    if name == "xception":
        return baseline(keras.applications.Xception(include_top=False, weights=None, input_shape=(SIZE, SIZE, 1)))
    return fpn()


def load(model, path):
    tensors = load_file(path)
    used = set()
    for layer in model.layers:
        for w in layer.weights:
            key = f"{layer.name}/{w.name}"
            if key not in tensors:
                raise KeyError(f"{path}: no tensor {key}")
            if tuple(tensors[key].shape) != tuple(w.shape):
                raise ValueError(f"{key}: file {tensors[key].shape}, Keras {w.shape}")
            w.assign(tensors[key])
            used.add(key)
    unused = sorted(set(tensors) - used)
    if unused:
        raise ValueError(f"{path}: tensors not in the Keras model: {unused[:5]}")
    return len(used)


def stats(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "sum": float(a.sum()), "sum_abs": float(np.abs(a).sum()),
            "first": [float(v) for v in a.reshape(-1)[:8]]}


def main(weights_dir):
    x = model_input()
    out = {"size": SIZE, "batch": BATCH, "tensorflow": tf.__version__, "keras": keras.__version__,
           "input": "x[n, y, x] = 0.5 + 0.5 sin(0.37 y + 0.23 x + 0.71 n), float32", "models": {}}
    for name, probes in PROBES.items():
        model = build(name)
        n = load(model, os.path.join(weights_dir, f"{name}.safetensors"))
        probe = keras.Model(model.input, [model.output] + [model.get_layer(p).output for p in probes])
        values = probe(x, training=False)
        out["models"][name] = {
            "parameters": int(model.count_params()), "tensors_loaded": n,
            "probabilities": np.asarray(values[0], dtype=np.float64).tolist(),
            "activations": {p: stats(v) for p, v in zip(probes, values[1:])},
        }
        print(name, model.count_params(), "parameters;", n, "tensors; probabilities", out["models"][name]["probabilities"])
    path = os.path.join(HERE, "keras_parity.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")
    os.replace(tmp, path)
    print("wrote", path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/parity-weights")
