"""VGG 11/13/16/19 with and without batch norm (torchvision's layout)."""

from __future__ import annotations

from torch import Tensor, nn

from . import register

CFGS: dict[int, list[int | str]] = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
         512, 512, 512, 512, "M"],
}  # fmt: skip


class VGG(nn.Module):
    def __init__(
        self, depth: int = 16, batch_norm: bool = False, num_classes: int = 1000,
        dropout: float = 0.5,
    ) -> None:  # fmt: skip
        super().__init__()
        layers: list[nn.Module] = []
        cin = 3
        for v in CFGS[depth]:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
                continue
            layers.append(nn.Conv2d(cin, int(v), 3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(int(v)))
            layers.append(nn.ReLU(inplace=True))
            cin = int(v)
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def _vgg(depth: int, bn: bool) -> None:
    name = f"vgg{depth}" + ("_bn" if bn else "")

    def builder(num_classes: int = 1000, dropout: float = 0.5) -> nn.Module:
        return VGG(depth, bn, num_classes, dropout)

    builder.__name__ = name
    register(
        name, "vgg",
        f"VGG-{depth}{' with batch norm' if bn else ''}: stacks of 3x3 convs, 2x2 max pools",
        (3, 224, 224),
        "Simonyan & Zisserman 2015 (ICLR), Table 1; torchvision.models." + name,
        torchvision=name,
    )(builder)  # fmt: skip


for _d in (11, 13, 16, 19):
    _vgg(_d, False)
    _vgg(_d, True)
