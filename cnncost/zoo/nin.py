"""Network in Network for ImageNet, as in Dive into Deep Learning (section 8.3) / Lin et al."""

from __future__ import annotations

from torch import nn

from . import register


def nin_block(cin: int, cout: int, kernel: int, stride: int, padding: int) -> nn.Sequential:
    """A conv followed by two 1x1 convs ('an MLP per pixel'), each with ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, padding), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 1), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 1), nn.ReLU(inplace=True),
    )  # fmt: skip


@register(
    "nin",
    "nin",
    "Network in Network: conv + two 1x1 convs per block, global average pool, no FC",
    (3, 224, 224),
    "Lin, Chen, Yan 2014 (ICLR); layout of Dive into Deep Learning, section 8.3",
)
def nin(num_classes: int = 1000, dropout: float = 0.5) -> nn.Module:
    return nn.Sequential(
        nin_block(3, 96, 11, 4, 0), nn.MaxPool2d(3, 2),
        nin_block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
        nin_block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2),
        nn.Dropout(dropout),
        nin_block(384, num_classes, 3, 1, 1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
    )  # fmt: skip
