"""GoogLeNet (Inception v1) and its stem, as in the lecture."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from . import register


@register(
    "googlenet_stem",
    "googlenet",
    "GoogLeNet's stem as tabled in the lecture: 224 down to 28x28x192",
    (3, 224, 224),
    "Szegedy et al. 2015 (CVPR), Table 1; the lecture's stem table (J. Johnson)",
)
def googlenet_stem() -> nn.Module:
    return nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(3, 64, 7, stride=2, padding=3)),
                ("relu1", nn.ReLU(inplace=True)),
                ("maxpool1", nn.MaxPool2d(3, 2, padding=1)),
                ("conv2", nn.Conv2d(64, 64, 1)),
                ("relu2", nn.ReLU(inplace=True)),
                ("conv3", nn.Conv2d(64, 192, 3, padding=1)),
                ("relu3", nn.ReLU(inplace=True)),
                ("maxpool2", nn.MaxPool2d(3, 2, padding=1)),
            ]
        )
    )
