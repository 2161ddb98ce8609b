"""ResNet 18-152 (torchvision's v1.5: stride in the 3x3), ResNeXt and Wide ResNet."""

from __future__ import annotations

from torch import Tensor, nn

from . import register


def conv3x3(cin: int, cout: int, stride: int = 1, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=False)


def conv1x1(cin: int, cout: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 1, stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, cin: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 groups: int = 1, base_width: int = 64) -> None:  # fmt: skip
        super().__init__()
        self.conv1 = conv3x3(cin, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 groups: int = 1, base_width: int = 64) -> None:  # fmt: skip
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(cin, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


LAYERS = {
    18: (BasicBlock, [2, 2, 2, 2]),
    34: (BasicBlock, [3, 4, 6, 3]),
    50: (Bottleneck, [3, 4, 6, 3]),
    101: (Bottleneck, [3, 4, 23, 3]),
    152: (Bottleneck, [3, 8, 36, 3]),
}


class ResNet(nn.Module):
    def __init__(self, depth: int = 50, num_classes: int = 1000, groups: int = 1,
                 width_per_group: int = 64) -> None:  # fmt: skip
        super().__init__()
        if depth not in LAYERS:
            raise ValueError(f"ResNet depth must be one of {sorted(LAYERS)}, got {depth}")
        block, layers = LAYERS[depth]
        self.groups, self.base_width, self.cin = groups, width_per_group, 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._stage(block, 64, layers[0])
        self.layer2 = self._stage(block, 128, layers[1], 2)
        self.layer3 = self._stage(block, 256, layers[2], 2)
        self.layer4 = self._stage(block, 512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _stage(self, block: type, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        down = None
        if stride != 1 or self.cin != planes * block.expansion:
            down = nn.Sequential(
                conv1x1(self.cin, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.cin, planes, stride, down, self.groups, self.base_width)]
        self.cin = planes * block.expansion
        layers += [
            block(self.cin, planes, groups=self.groups, base_width=self.base_width)
            for _ in range(1, blocks)
        ]
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


SRC = "He et al. 2016 (CVPR), Table 1; torchvision.models."


def _add(name: str, depth: int, desc: str, source: str, groups: int = 1, wpg: int = 64) -> None:
    def builder(num_classes: int = 1000) -> nn.Module:
        return ResNet(depth, num_classes, groups, wpg)

    builder.__name__ = name
    register(name, "resnet", desc, (3, 224, 224), source + name, torchvision=name)(builder)


for _d in (18, 34, 50, 101, 152):
    _kind = "basic" if _d < 50 else "bottleneck"
    _add(f"resnet{_d}", _d, f"ResNet-{_d}: residual {_kind} blocks, stages 64-512", SRC)
_add("resnext50_32x4d", 50, "ResNeXt-50 32x4d: grouped 3x3 bottlenecks",
     "Xie et al. 2017 (CVPR), Table 1; torchvision.models.", 32, 4)  # fmt: skip
_add("resnext101_32x8d", 101, "ResNeXt-101 32x8d: grouped 3x3 bottlenecks",
     "Xie et al. 2017 (CVPR); torchvision.models.", 32, 8)  # fmt: skip
_add("wide_resnet50_2", 50, "Wide ResNet-50-2: bottlenecks twice as wide",
     "Zagoruyko & Komodakis 2016 (BMVC); torchvision.models.", 1, 128)  # fmt: skip


@register(
    "resnet",
    "resnet",
    "ResNet of any standard depth (--arg depth=18|34|50|101|152, groups, width_per_group)",
    (3, 224, 224),
    SRC + "resnet",
)
def resnet(depth: int = 50, num_classes: int = 1000, groups: int = 1,
           width_per_group: int = 64) -> nn.Module:  # fmt: skip
    return ResNet(depth, num_classes, groups, width_per_group)
