"""LeNet-5 (LeCun et al. 1998) with full C3 connections, tanh and average pooling."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from . import register


@register(
    "lenet5",
    "lenet",
    "LeNet-5: two 5x5 conv + pool stages, 120-84-10 head, 32x32 grey input",
    (1, 32, 32),
    "LeCun, Bottou, Bengio, Haffner 1998 (Proc. IEEE), Section II.B, Fig. 2",
)
def lenet5(num_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        OrderedDict(
            [
                ("c1", nn.Conv2d(1, 6, 5)),
                ("tanh1", nn.Tanh()),
                ("s2", nn.AvgPool2d(2)),
                ("c3", nn.Conv2d(6, 16, 5)),  # full connection (the paper used a sparse table)
                ("tanh3", nn.Tanh()),
                ("s4", nn.AvgPool2d(2)),
                ("c5", nn.Conv2d(16, 120, 5)),
                ("tanh5", nn.Tanh()),
                ("flatten", nn.Flatten()),
                ("f6", nn.Linear(120, 84)),
                ("tanh6", nn.Tanh()),
                ("output", nn.Linear(84, num_classes)),
            ]
        )
    )
