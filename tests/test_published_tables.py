"""The course tables, reproduced exactly: Ng's Deep Learning Specialization (LeNet-5, the 39×39×3
walk-through, the inception cost), the CS231n notes (VGG-16, AlexNet, locally connected) and
Chollet's Deep Learning with Python (a Keras summary()). Expected values are their own figures or
the arithmetic they print (e.g. (3*3*64)*128 = 73,728); where a table misprints, the
arithmetic is asserted and the misprint is named."""

import pytest
from helpers import hwc_text as hwc

import cnncalc

# --- Ng's Deep Learning Specialization: Ng's "Example (close to LeNet-5)" table --------------------------------
# (row name in the table, our layer, activation shape, activation size, # parameters)
LENET5_TABLE = [
    ("Input", "input", "32x32x3", 32 * 32 * 3, 0),
    # the table prints 4707; 28*28*6 = 4704
    ("CONV1 (f=5, s=1)", "conv1", "28x28x6", 28 * 28 * 6, 5 * 5 * 3 * 6 + 6),
    ("POOL1 (f=2, s=2)", "pool1", "14x14x6", 1176, 0),
    ("CONV2 (f=5, s=1)", "conv2", "10x10x16", 1600, 5 * 5 * 6 * 16 + 16),
    ("POOL2 (f=2, s=2)", "pool2", "5x5x16", 400, 0),
    ("FC3", "fc1", "120", 120, 400 * 120 + 120),
    ("FC4", "fc2", "84", 84, 120 * 84 + 84),
    ("Softmax", "fc3", "10", 10, 84 * 10 + 10),
]


@pytest.mark.parametrize("row,layer,shape,size,params", LENET5_TABLE, ids=[r[0] for r in LENET5_TABLE])
def test_lenet5_ng_table(analyzed, row, layer, shape, size, params):
    got = analyzed("lenet5").layer(layer)
    assert (hwc(got), got.activation_size, got.params) == (shape, size, params)


def test_lenet5_ng_table_printed_figures(analyzed):
    # the table's parameter column, as printed: 456, 2416, 48120, 10164, 850, total 62,006
    r = analyzed("lenet5")
    assert [r.layer(name).params for name in ("conv1", "conv2", "fc1", "fc2", "fc3")] == [456, 2416, 48120, 10164, 850]
    assert r.totals.params == 62006
    # the table's 4707 for CONV1 is a misprint: 28·28·6 = 4704
    assert cnncalc.analyze("lenet5").layer("conv1").activation_size == 4704 != 4707


def test_lenet5_classic_61706():
    r = cnncalc.analyze("lenet5-classic")
    assert (
        r.totals.params
        == (5 * 5 * 1 * 6 + 6) + (5 * 5 * 6 * 16 + 16) + (5 * 5 * 16 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
        == 61706
    )


# --- the CS231n notes: cs231n's VGG-16 memory / params table ---------------------------------
# (our layer, shape, memory = activation size, params "not counting biases")
VGG16_TABLE = [
    ("input", "224x224x3", 224 * 224 * 3, 0),
    ("conv1", "224x224x64", 224 * 224 * 64, (3 * 3 * 3) * 64),
    ("conv2", "224x224x64", 224 * 224 * 64, (3 * 3 * 64) * 64),
    ("pool1", "112x112x64", 112 * 112 * 64, 0),
    ("conv3", "112x112x128", 112 * 112 * 128, (3 * 3 * 64) * 128),
    ("conv4", "112x112x128", 112 * 112 * 128, (3 * 3 * 128) * 128),
    ("pool2", "56x56x128", 56 * 56 * 128, 0),
    ("conv5", "56x56x256", 56 * 56 * 256, (3 * 3 * 128) * 256),
    ("conv6", "56x56x256", 56 * 56 * 256, (3 * 3 * 256) * 256),
    ("conv7", "56x56x256", 56 * 56 * 256, (3 * 3 * 256) * 256),
    ("pool3", "28x28x256", 28 * 28 * 256, 0),
    ("conv8", "28x28x512", 28 * 28 * 512, (3 * 3 * 256) * 512),
    ("conv9", "28x28x512", 28 * 28 * 512, (3 * 3 * 512) * 512),
    ("conv10", "28x28x512", 28 * 28 * 512, (3 * 3 * 512) * 512),
    ("pool4", "14x14x512", 14 * 14 * 512, 0),
    ("conv11", "14x14x512", 14 * 14 * 512, (3 * 3 * 512) * 512),
    ("conv12", "14x14x512", 14 * 14 * 512, (3 * 3 * 512) * 512),
    ("conv13", "14x14x512", 14 * 14 * 512, (3 * 3 * 512) * 512),
    ("pool5", "7x7x512", 7 * 7 * 512, 0),
    ("fc1", "4096", 4096, 7 * 7 * 512 * 4096),
    ("fc2", "4096", 4096, 4096 * 4096),
    ("fc3", "1000", 1000, 4096 * 1000),
]


@pytest.mark.parametrize("layer,shape,memory,weights", VGG16_TABLE, ids=[r[0] for r in VGG16_TABLE])
def test_vgg16_cs231n_table(analyzed, layer, shape, memory, weights):
    got = analyzed("vgg16").layer(layer)
    assert (hwc(got), got.activation_size, got.weights) == (shape, memory, weights)


def test_vgg16_cs231n_printed_figures(analyzed):
    # the table prints these products of its weights column
    r = analyzed("vgg16")
    assert (r.layer("conv3").weights, r.layer("conv9").weights) == (73728, 2359296)
    assert (r.layer("fc1").weights, r.layer("fc3").weights) == (102760448, 4096000)


def test_vgg16_totals():
    r = cnncalc.analyze("vgg16")
    biases = 2 * 64 + 2 * 128 + 3 * 256 + 6 * 512 + 4096 + 4096 + 1000
    assert r.totals.biases == biases
    assert r.totals.params == sum(w for *_, w in VGG16_TABLE) + biases == 138357544
    # MACs at 224: every conv output element costs 3·3·C_in, plus the three dense layers
    convs = [
        (224, 3, 64),
        (224, 64, 64),
        (112, 64, 128),
        (112, 128, 128),
        (56, 128, 256),
        (56, 256, 256),
        (56, 256, 256),
        (28, 256, 512),
        (28, 512, 512),
        (28, 512, 512),
        (14, 512, 512),
        (14, 512, 512),
        (14, 512, 512),
    ]
    macs = sum(n * n * cout * 9 * cin for n, cin, cout in convs) + 25088 * 4096 + 4096 * 4096 + 4096 * 1000
    assert r.totals.macs == macs == 15470264320
    assert r.totals.flops == 2 * 15470264320


# --- Chollet's Deep Learning with Python: a Keras summary() ----------------------------------------------------
KERAS_MNIST = """
name: keras-mnist
input: {shape: [28, 28, 1], layout: HWC}
layers:
  - conv: {filters: 32, kernel: 3, activation: relu}
  - max_pool: {kernel: 2}
  - conv: {filters: 64, kernel: 3, activation: relu}
  - max_pool: {kernel: 2}
  - conv: {filters: 64, kernel: 3, activation: relu}
  - flatten
  - dense: {units: 64, activation: relu}
  - dense: {units: 10, activation: softmax}
"""


def test_keras_summary_chollet():
    r = cnncalc.analyze(cnncalc.loads(KERAS_MNIST))
    rows = [(hwc(x), x.params) for x in r.layers if x.kind != "input"]
    # (None, 26, 26, 32) 320 / (None, 13, 13, 32) 0 / ... exactly as printed by Keras
    assert rows == [
        ("26x26x32", 320),
        ("13x13x32", 0),
        ("11x11x64", 18496),
        ("5x5x64", 0),
        ("3x3x64", 36928),
        ("576", 0),
        ("64", 36928),
        ("10", 650),
    ]
    assert r.totals.params == 93322 and r.totals.non_trainable_params == 0
    conv_part = [x for x in r.layers if x.name in ("conv1", "pool1", "conv2", "pool2", "conv3")]
    assert sum(x.params for x in conv_part) == 55744  # the first summary() in the book


# --- the CS231n notes and Ng's course: AlexNet's shapes ---------------------------------------------
def test_alexnet_shapes_cs231n():
    r = cnncalc.analyze("alexnet")
    shapes = [hwc(x) for x in r.layers if x.kind not in ("dropout", "flatten")]
    assert shapes == [
        "227x227x3",
        "55x55x96",
        "27x27x96",
        "27x27x96",
        "27x27x256",
        "13x13x256",
        "13x13x256",
        "13x13x384",
        "13x13x384",
        "13x13x256",
        "6x6x256",
        "4096",
        "4096",
        "1000",
    ]
    assert r.layer("flatten1").activation_size == 6 * 6 * 256 == 9216  # Ng's "Flatten: 9216"
    assert r.layer("conv1").params == 11 * 11 * 3 * 96 + 96 == 34944  # the CS231n notes' parameter-sharing count
    assert r.warnings == []  # 227 divides exactly: (227 − 11)/4 + 1 = 55


def test_alexnet_at_224_warns():
    r = cnncalc.analyze("alexnet", input="224x224x3")
    conv1 = r.layer("conv1")
    assert hwc(conv1) == "54x54x96"  # floor((224 − 11)/4) + 1 = 54
    assert any("213/4" in w and "drops the last 1 input row/column" in w and "227" in w for w in conv1.warnings)


def test_locally_connected_cs231n():
    # "55 × 55 × 96 = 290,400 neurons, each with 11 × 11 × 3 = 363 weights and 1 bias"
    net = cnncalc.loads("""
input: {shape: [227, 227, 3], layout: HWC}
layers:
  - locally_connected: {filters: 96, kernel: 11, stride: 4}
""")
    layer = cnncalc.analyze(net).layer("local1")
    assert hwc(layer) == "55x55x96"
    assert layer.params == 290400 * 364 == 105705600


# --- Ng's Deep Learning Specialization: the 39×39×3 walk-through -------------------------------------------------
def test_ng_39_example():
    net = cnncalc.loads("""
input: {shape: [39, 39, 3], layout: HWC}
layers:
  - conv: {filters: 10, kernel: 3, stride: 1, padding: 0}
  - conv: {filters: 20, kernel: 5, stride: 2, padding: 0}
  - conv: {filters: 40, kernel: 5, stride: 2, padding: 0}
  - flatten
""")
    r = cnncalc.analyze(net)
    assert [hwc(x) for x in r.layers] == ["39x39x3", "37x37x10", "17x17x20", "7x7x40", "1960"]
    assert r.layer("conv1").params == 3 * 3 * 3 * 10 + 10  # the course's "10 filters of 3×3×3" question


# --- Ng's Deep Learning Specialization: the inception cost example ---------------------------------------------
def test_ng_inception_cost():
    direct = cnncalc.loads("""
input: {shape: [28, 28, 192], layout: HWC}
layers:
  - conv: {filters: 32, kernel: 5, padding: same}
""")
    bottleneck = cnncalc.loads("""
input: {shape: [28, 28, 192], layout: HWC}
layers:
  - conv: {filters: 16, kernel: 1}
  - conv: {filters: 32, kernel: 5, padding: same}
""")
    assert cnncalc.analyze(direct).totals.macs == (5 * 5 * 192) * (28 * 28 * 32) == 120422400
    r = cnncalc.analyze(bottleneck)
    assert r.layer("conv1").macs == 1 * 1 * 192 * 28 * 28 * 16 == 2408448
    assert r.layer("conv2").macs == 5 * 5 * 16 * 28 * 28 * 32 == 10035200
    assert r.totals.macs == 12443648
