"""EfficientNet-B0 (torchvision's layout): MBConv blocks with squeeze-and-excitation."""

from __future__ import annotations

import math
from functools import partial

from torch import Tensor, nn

from . import register
from .layers import ConvNormAct, StochasticDepth, make_divisible


class SqueezeExcitation(nn.Module):
    def __init__(self, channels: int, squeeze: int) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.activation = nn.SiLU()
        self.scale_activation = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        s = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return s * x


class MBConv(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, stride: int, expand: int, sd: float) -> None:
        super().__init__()
        self.use_res = stride == 1 and cin == cout
        bn = 1e-3
        hidden = make_divisible(cin * expand, 8)
        layers: list[nn.Module] = []
        if hidden != cin:
            layers.append(ConvNormAct(cin, hidden, 1, act=nn.SiLU, eps=bn))
        layers += [
            ConvNormAct(hidden, hidden, k, stride, groups=hidden, act=nn.SiLU, eps=bn),
            SqueezeExcitation(hidden, max(1, cin // 4)),
            ConvNormAct(hidden, cout, 1, act=None, eps=bn),
        ]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(sd)

    def forward(self, x: Tensor) -> Tensor:
        out = self.block(x)
        if self.use_res:
            out = self.stochastic_depth(out) + x
        return out


# (expand, kernel, stride, in, out, layers) for B0 (Tan & Le 2019, Table 1)
B0 = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
      (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]  # fmt: skip


class EfficientNet(nn.Module):
    def __init__(self, width: float = 1.0, depth: float = 1.0, dropout: float = 0.2,
                 num_classes: int = 1000, sd_prob: float = 0.2) -> None:  # fmt: skip
        super().__init__()
        ch = partial(lambda c, w: make_divisible(c * w, 8), w=width)
        reps = [math.ceil(n * depth) for *_, n in B0]
        total, done = sum(reps), 0
        layers: list[nn.Module] = [ConvNormAct(3, ch(32), 3, 2, act=nn.SiLU, eps=1e-3)]
        for (e, k, s, cin, cout, _), n in zip(B0, reps, strict=True):
            stage = []
            for i in range(n):
                sd = sd_prob * done / total
                stage.append(MBConv(ch(cin) if i == 0 else ch(cout), ch(cout), k,
                                    s if i == 0 else 1, e, sd))  # fmt: skip
                done += 1
            layers.append(nn.Sequential(*stage))
        last = 4 * ch(320)
        layers.append(ConvNormAct(ch(320), last, 1, act=nn.SiLU, eps=1e-3))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(dropout, inplace=True),
                                        nn.Linear(last, num_classes))  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


@register(
    "efficientnet_b0",
    "efficientnet",
    "EfficientNet-B0: MBConv blocks with squeeze-and-excitation, SiLU",
    (3, 224, 224),
    "Tan & Le 2019 (ICML), Table 1; torchvision.models.efficientnet_b0",
    torchvision="efficientnet_b0",
)
def efficientnet_b0(num_classes: int = 1000) -> nn.Module:
    return EfficientNet(1.0, 1.0, 0.2, num_classes)
