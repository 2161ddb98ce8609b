"""ShuffleNet v2 (torchvision's layout): channel split, shuffle, depthwise convs."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from . import register


def channel_shuffle(x: Tensor, groups: int) -> Tensor:
    b, c, h, w = x.shape
    x = x.view(b, groups, c // groups, h, w).transpose(1, 2).contiguous()
    return x.view(b, c, h, w)


def _dw(c: int, stride: int) -> nn.Conv2d:
    return nn.Conv2d(c, c, 3, stride, 1, groups=c, bias=False)


class ShuffleUnit(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.stride = stride
        bf = cout // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                _dw(cin, stride), nn.BatchNorm2d(cin), nn.Conv2d(cin, bf, 1, bias=False),
                nn.BatchNorm2d(bf), nn.ReLU(inplace=True),
            )  # fmt: skip
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(cin if stride > 1 else bf, bf, 1, bias=False), nn.BatchNorm2d(bf),
            nn.ReLU(inplace=True), _dw(bf, stride), nn.BatchNorm2d(bf),
            nn.Conv2d(bf, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU(inplace=True),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), 1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), 1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(self, channels: list[int], repeats: tuple[int, ...] = (4, 8, 4),
                 num_classes: int = 1000) -> None:  # fmt: skip
        super().__init__()
        c = channels[0]
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)
        )
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for i, (n, cout) in enumerate(zip(repeats, channels[1:4], strict=True)):
            units = [ShuffleUnit(c, cout, 2)] + [ShuffleUnit(cout, cout, 1) for _ in range(n - 1)]
            setattr(self, f"stage{i + 2}", nn.Sequential(*units))
            c = cout
        self.conv5 = nn.Sequential(
            nn.Conv2d(c, channels[-1], 1, bias=False), nn.BatchNorm2d(channels[-1]),
            nn.ReLU(inplace=True),
        )  # fmt: skip
        self.fc = nn.Linear(channels[-1], num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))


WIDTHS = {
    "x0_5": [24, 48, 96, 192, 1024],
    "x1_0": [24, 116, 232, 464, 1024],
    "x1_5": [24, 176, 352, 704, 1024],
    "x2_0": [24, 244, 488, 976, 2048],
}

for _w, _ch in WIDTHS.items():

    def _builder(num_classes: int = 1000, _ch: list[int] = _ch) -> nn.Module:
        return ShuffleNetV2(_ch, num_classes=num_classes)

    register(
        f"shufflenet_v2_{_w}", "shufflenet",
        f"ShuffleNet v2 {_w[1:].replace('_', '.')}x: channel split and shuffle",
        (3, 224, 224), f"Ma et al. 2018 (ECCV), Table 5; torchvision.models.shufflenet_v2_{_w}",
        torchvision=f"shufflenet_v2_{_w}", _ch=_ch,
    )(_builder)  # fmt: skip
