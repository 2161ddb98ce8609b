"""Every number of the lecture's AlexNet and GoogLeNet-stem tables, exactly.

Sources: ../shared/reference/cnn-architectures-lecture.txt ("AlexNet Network - Structural
Details" table; "GoogLeNet: Aggressive stem" table) and lecture-figures.md beside it.
"""

from __future__ import annotations

from cnncost import analyze, report, zoo

# lecture AlexNet table, "# of Param" column (conv1 .. fc8) and its "Total 62,378,344"
ALEXNET_PARAMS = {
    "conv1": 34_944, "conv2": 614_656, "conv3": 885_120, "conv4": 1_327_488,
    "conv5": 884_992, "fc6": 37_752_832, "fc7": 16_781_312, "fc8": 4_097_000,
}  # fmt: skip
# lecture AlexNet table, "Output" columns (H, W, C)
ALEXNET_OUT = {
    "conv1": (96, 55, 55), "maxpool1": (96, 27, 27), "conv2": (256, 27, 27),
    "maxpool2": (256, 13, 13), "conv3": (384, 13, 13), "conv4": (384, 13, 13),
    "conv5": (256, 13, 13), "maxpool5": (256, 6, 6), "fc6": (4096,), "fc7": (4096,),
    "fc8": (1000,),
}  # fmt: skip
# MACs = H_out * W_out * C_out * (k*k*C_in) for convs, in * out for FC (lecture-figures.md)
ALEXNET_MACS = {
    "conv1": 55 * 55 * 96 * (11 * 11 * 3), "conv2": 27 * 27 * 256 * (5 * 5 * 96),
    "conv3": 13 * 13 * 384 * (3 * 3 * 256), "conv4": 13 * 13 * 384 * (3 * 3 * 384),
    "conv5": 13 * 13 * 256 * (3 * 3 * 384), "fc6": 9216 * 4096, "fc7": 4096 * 4096,
    "fc8": 4096 * 1000,
}  # fmt: skip


def alexnet_cost():
    return analyze(zoo.build("alexnet"), (3, 227, 227), name="alexnet")


def test_alexnet_table_params_shapes_macs() -> None:
    c = alexnet_cost()
    df = report.lecture_view(c).set_index("name")
    assert list(df.index) == list(ALEXNET_OUT)
    for layer, p in ALEXNET_PARAMS.items():
        assert df.loc[layer, "params"] == p, layer
    for layer, shape in ALEXNET_OUT.items():
        assert df.loc[layer, "output_shape"] == shape, layer
    for layer, macs in ALEXNET_MACS.items():
        assert df.loc[layer, "macs"] == macs, layer
    assert c.params == 62_378_344  # the lecture's "Total 62,378,344"
    assert c.macs == 1_135_256_096  # lecture-figures.md total
    kernels = df["kernel"].to_dict()
    assert kernels["conv1"] == (11, 11) and df.loc["conv1", "stride"] == (4, 4)
    assert df.loc["conv2", "padding"] == (2, 2) and kernels["maxpool1"] == (3, 3)


def test_alexnet_fc_share_of_parameters() -> None:
    # "About 57M parameters are in the FC layers (about 95%)": exactly 58,631,144 = 94.0%
    c = alexnet_cost()
    fc = sum(c.row(n).params for n in ("fc6", "fc7", "fc8"))
    assert fc == 58_631_144
    assert round(100 * fc / c.params, 1) == 94.0


def test_alexnet_caption_neuron_counts() -> None:
    # caption "...-186,624-64,896-64,896-43,264-4096-4096-1000": outputs of conv2..fc8
    c = alexnet_cost()
    counts = [c.row(n).memory_bytes // 4 for n in ("conv2", "conv3", "conv4", "conv5")]
    assert counts == [186_624, 64_896, 64_896, 43_264]
    assert c.row("conv1").memory_bytes // 4 == 290_400  # not the caption's 253,440 (227 input)


# lecture stem table: memory (KB), params (K), flop (M); lecture-figures.md gives exact values
STEM = [
    # name,     out (C, H, W),   KB,   params,  lecture flop
    ("conv1", (64, 112, 112), 3136, 9_472, 118_013_952),
    ("maxpool1", (64, 56, 56), 784, 0, 1_806_336),  # = 64*56*56 * 9
    ("conv2", (64, 56, 56), 784, 4_160, 12_845_056),
    ("conv3", (192, 56, 56), 2352, 110_784, 346_816_512),
    ("maxpool2", (192, 28, 28), 588, 0, 1_354_752),  # = 192*28*28 * 9
]
STEM_ROUNDED = {"conv1": "118", "maxpool1": "2", "conv2": "13", "conv3": "347", "maxpool2": "1"}
STEM_PARAMS_K = {"conv1": 9, "maxpool1": 0, "conv2": 4, "conv3": 111, "maxpool2": 0}


def test_googlenet_stem_table() -> None:
    c = analyze(zoo.build("googlenet_stem"), (3, 224, 224))
    df = report.lecture_view(c).set_index("name")
    assert list(df.index) == [s[0] for s in STEM]
    disp = report.display_frame(report.lecture_view(c), lecture=True).set_index("layer")
    for name, shape, kb, params, flop in STEM:
        assert df.loc[name, "output_shape"] == shape
        assert df.loc[name, "memory_bytes"] == kb * 1024
        assert df.loc[name, "params"] == params
        assert round(params / 1000) == STEM_PARAMS_K[name]  # the lecture's "params (K)"
        assert df.loc[name, "lecture_flops"] == flop
        assert disp.loc[name, "flop (M)"] == STEM_ROUNDED[name]  # the lecture's digits
        assert disp.loc[name, "memory (KB)"] == f"{kb:,}"
    # totals: "Memory: 7.5 MB", "Params: 124K"; the lecture's "MFLOP: 418" is a slip for 481
    assert df["memory_bytes"].sum() == 7644 * 1024
    assert round(df["memory_bytes"].sum() / 2**20, 1) == 7.5
    assert c.params == 124_416
    assert df["lecture_flops"].sum() == 480_836_608
    assert round(df["lecture_flops"].sum() / 1e6) == 481


def test_stem_text_table_shows_the_true_total() -> None:
    text = report.render(analyze(zoo.build("googlenet_stem"), (3, 224, 224)), "text")
    total_line = next(line for line in text.splitlines() if line.startswith("total"))
    assert total_line.split()[-1] == "481" and "7,644" in total_line and "124,416" in total_line
