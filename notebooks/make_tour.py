"""Writes cnn_architectures_tour.ipynb (run from the repository root:
``python notebooks/make_tour.py``); the notebook itself is what students open."""

from pathlib import Path

import nbformat as nbf

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
    md("# A tour of CNN architectures, in numbers\n\n"
       "This notebook walks the lecture on CNN architectures (LeNet, AlexNet, VGG, NiN, "
       "GoogLeNet, ResNet, DenseNet, MobileNet) with **cnncost**. Every number below is traced "
       "from a real PyTorch module on the `meta` device: no weights are allocated and no "
       "arithmetic is done, so each cell runs in milliseconds.\n\n"
       "Units: **MACs** are multiply-accumulates of conv/linear layers, bias excluded (the "
       "lecture's \"flop\" for convs, and torchvision's \"GFLOPS\"); **FLOPs** are 2 per MAC plus "
       "element-wise work; **memory (KB)** is output activation bytes / 1024 at float32."),
    code("import cnncost\nfrom cnncost import analyze, compare, plots, report, zoo\n\n"
         "def table(name, **kw):\n"
         "    e = zoo.get(name)\n"
         "    cost = analyze(zoo.build(name), kw.pop('input_size', e.input_size), name=name)\n"
         "    print(report.render(cost, 'text', **kw))\n"
         "    return cost"),
    md("## AlexNet\n\nThe lecture's one-tower AlexNet at 227x227. Its table gives the "
       "parameters of each layer and a total of 62,378,344."),
    code("alexnet = table('alexnet')"),
    md("\"About 57M parameters are in the FC layers (about 95% of parameters)\": exactly how "
       "many, and where do the MACs sit instead?"),
    code("fc = sum(alexnet.row(n).params for n in ('fc6', 'fc7', 'fc8'))\n"
         "fc_macs = sum(alexnet.row(n).macs for n in ('fc6', 'fc7', 'fc8'))\n"
         "print(f'FC parameters: {fc:,} of {alexnet.params:,} = {100 * fc / alexnet.params:.1f}%')\n"
         "print(f'FC MACs: {fc_macs:,} of {alexnet.macs:,} = {100 * fc_macs / alexnet.macs:.1f}%')"),
    code("plots.layers_figure('alexnet')"),
    md("## VGG: stacks of 3x3 convolutions\n\n"
       "One 7x7 conv with K channels in and out has 49K^2 weights; three 3x3 convs have 27K^2 "
       "and see the same 7x7 window."),
    code("print(report.render_comparison(compare.compare('stacked3x3', channels=64, size=56)))"),
    md("## GoogLeNet: an aggressive stem\n\n"
       "The lecture's stem table: memory (KB) 3136 / 784 / 784 / 2352 / 588, params 9K / 0 / 4K / "
       "111K / 0, flop (M) 118 / 2 / 13 / 347 / 1. Its total line says 418 MFLOP, but its own rows "
       "sum to **481**: the 418 is a digit swap."),
    code("stem = table('googlenet_stem')"),
    code("print(report.render_comparison(compare.compare('googlenet-stem-vs-vgg')))"),
    md("## Why 1x1 convolutions? The bottleneck\n\n"
       "(28x28x32) x (5x5x192) = 120M multiply-adds straight from the module input, against "
       "12.4M with a 1x1 reduction to 16 channels first."),
    code("print(report.render_comparison(compare.compare('bottleneck')))"),
    code("table('googlenet', depth=1);"),
    md("## ResNet: residual and bottleneck blocks"),
    code("print(report.render_comparison(compare.compare('residual-bottleneck')))"),
    code("table('resnet50', depth=1);"),
    md("## DenseNet: every layer sees every earlier feature map\n\n"
       "The concatenations are charged to the dense layers and blocks that issue them."),
    code("table('densenet121', depth=2);"),
    md("## MobileNet: depthwise-separable convolutions\n\n"
       "Cost ratio to a standard DkxDk conv with N outputs: 1/N + 1/Dk^2."),
    code("print(report.render_comparison(compare.compare('depthwise')))"),
    md("## NiN and the global-average-pooling head"),
    code("print(report.render_comparison(compare.compare('gap-head')))"),
    md("## Comparing complexity: accuracy against operations\n\n"
       "After Canziani, Paszke & Culurciello (2017): top-1 accuracy against GMACs (traced), "
       "bubble area proportional to parameters."),
    code("plots.accuracy_figure()"),
    md("## Memory is not just the sum of outputs"),
    code("plots.memory_figure('resnet50', [1, 8, 64])"),
    md("## Your own design\n\nAudit a design against a budget before you train it."),
    code("import torch.nn as nn\n\n"
         "net = nn.Sequential(\n"
         "    nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),\n"
         "    nn.Conv2d(32, 32, 3, padding=1, groups=32), nn.Conv2d(32, 64, 1), nn.ReLU(),\n"
         "    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))\n"
         "result = cnncost.audit(net, (3, 224, 224), max_macs=50_000_000, max_params=100_000)\n"
         "print(result.message())\n"
         "[(c.name, c.limit, c.actual, c.ok) for c in result.checks]"),
]
nb = nbf.v4.new_notebook(cells=cells, metadata={
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
})
Path("notebooks/cnn_architectures_tour.ipynb").write_text(nbf.writes(nb))
print("wrote notebooks/cnn_architectures_tour.ipynb")
