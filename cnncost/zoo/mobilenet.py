"""MobileNet v1 (Howard et al. 2017) and v2 (torchvision's layout)."""

from __future__ import annotations

from torch import Tensor, nn

from . import register
from .layers import ConvNormAct, make_divisible

# MobileNet v1, Table 1 of Howard et al. 2017: (output channels, stride) of each dw-separable block
V1_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
             (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]  # fmt: skip


class MobileNetV1(nn.Module):
    """Each block: 3x3 depthwise conv-BN-ReLU then 1x1 pointwise conv-BN-ReLU.
    ``depthwise=False`` replaces each pair by one full 3x3 conv (the paper's Table 4 baseline)."""

    def __init__(self, width: float = 1.0, num_classes: int = 1000, depthwise: bool = True,
                 dropout: float = 0.001) -> None:  # fmt: skip
        super().__init__()
        if width <= 0:
            raise ValueError(f"width must be positive, got {width}")
        c = int(32 * width)
        layers: list[nn.Module] = [ConvNormAct(3, c, 3, 2)]
        for cout, stride in V1_BLOCKS:
            cout = int(cout * width)
            if depthwise:
                layers.append(
                    nn.Sequential(ConvNormAct(c, c, 3, stride, groups=c), ConvNormAct(c, cout, 1))
                )
            else:
                layers.append(ConvNormAct(c, cout, 3, stride))
            c = cout
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.dropout(self.avgpool(self.features(x)).flatten(1)))


@register(
    "mobilenet_v1",
    "mobilenet",
    "MobileNet v1: 13 depthwise-separable blocks (--arg width=0.25..1.0, depthwise=False)",
    (3, 224, 224),
    "Howard et al. 2017 (arXiv:1704.04861), Tables 1 and 4-7",
)
def mobilenet_v1(width: float = 1.0, num_classes: int = 1000, depthwise: bool = True) -> nn.Module:
    return MobileNetV1(width, num_classes, depthwise)


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = round(cin * expand)
        self.use_res = stride == 1 and cin == cout
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvNormAct(cin, hidden, 1, act=nn.ReLU6))
        layers += [
            ConvNormAct(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


V2_SETTING = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
              (6, 160, 3, 2), (6, 320, 1, 1)]  # fmt: skip


class MobileNetV2(nn.Module):
    def __init__(self, width: float = 1.0, num_classes: int = 1000, dropout: float = 0.2) -> None:
        super().__init__()
        cin = make_divisible(32 * width)
        last = make_divisible(1280 * max(1.0, width))
        layers: list[nn.Module] = [ConvNormAct(3, cin, 3, 2, act=nn.ReLU6)]
        for t, c, n, s in V2_SETTING:
            cout = make_divisible(c * width)
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, s if i == 0 else 1, t))
                cin = cout
        layers.append(ConvNormAct(cin, last, 1, act=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(last, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(x.flatten(1))


@register(
    "mobilenet_v2",
    "mobilenet",
    "MobileNet v2: inverted residuals with linear bottlenecks (--arg width=...)",
    (3, 224, 224),
    "Sandler et al. 2018 (CVPR), Table 2; torchvision.models.mobilenet_v2",
    torchvision="mobilenet_v2",
)
def mobilenet_v2(width: float = 1.0, num_classes: int = 1000) -> nn.Module:
    return MobileNetV2(width, num_classes)
