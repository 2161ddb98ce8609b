"""Inception v3 (torchvision's layout, 299x299 input, auxiliary head kept as torchvision does)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import register
from .googlenet import BasicConv2d as BC


class InceptionA(nn.Module):
    def __init__(self, cin: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = BC(cin, 64, kernel_size=1)
        self.branch5x5_1 = BC(cin, 48, kernel_size=1)
        self.branch5x5_2 = BC(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BC(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BC(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BC(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BC(cin, pool_features, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1))
        return torch.cat([b1, b5, b3, bp], 1)


class InceptionB(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3 = BC(cin, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BC(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BC(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BC(96, 96, kernel_size=3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        b3 = self.branch3x3(x)
        bd = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([b3, bd, F.max_pool2d(x, 3, stride=2)], 1)


class InceptionC(nn.Module):
    def __init__(self, cin: int, c7: int) -> None:
        super().__init__()
        self.branch1x1 = BC(cin, 192, kernel_size=1)
        self.branch7x7_1 = BC(cin, c7, kernel_size=1)
        self.branch7x7_2 = BC(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BC(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BC(cin, c7, kernel_size=1)
        self.branch7x7dbl_2 = BC(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BC(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BC(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BC(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BC(cin, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        b1 = self.branch1x1(x)
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = x
        for m in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3,
                  self.branch7x7dbl_4, self.branch7x7dbl_5):  # fmt: skip
            bd = m(bd)
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1))
        return torch.cat([b1, b7, bd, bp], 1)


class InceptionD(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3_1 = BC(cin, 192, kernel_size=1)
        self.branch3x3_2 = BC(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BC(cin, 192, kernel_size=1)
        self.branch7x7x3_2 = BC(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BC(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BC(192, 192, kernel_size=3, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = x
        for m in (self.branch7x7x3_1, self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            b7 = m(b7)
        return torch.cat([b3, b7, F.max_pool2d(x, 3, stride=2)], 1)


class InceptionE(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch1x1 = BC(cin, 320, kernel_size=1)
        self.branch3x3_1 = BC(cin, 384, kernel_size=1)
        self.branch3x3_2a = BC(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BC(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BC(cin, 448, kernel_size=1)
        self.branch3x3dbl_2 = BC(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BC(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BC(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BC(cin, 192, kernel_size=1)

    def forward(self, x: Tensor) -> Tensor:
        b1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1))
        return torch.cat([b1, b3, bd, bp], 1)


class InceptionAux(nn.Module):
    def __init__(self, cin: int, num_classes: int) -> None:
        super().__init__()
        self.conv0 = BC(cin, 128, kernel_size=1)
        self.conv1 = BC(128, 768, kernel_size=5)
        self.fc = nn.Linear(768, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1(self.conv0(F.avg_pool2d(x, 5, stride=3)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, (1, 1)), 1))


class Inception3(nn.Module):
    def __init__(self, num_classes: int = 1000, aux_logits: bool = True,
                 dropout: float = 0.5) -> None:  # fmt: skip
        super().__init__()
        self.Conv2d_1a_3x3 = BC(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BC(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BC(32, 64, kernel_size=3, padding=1)
        self.maxpool1 = nn.MaxPool2d(3, stride=2)
        self.Conv2d_3b_1x1 = BC(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BC(80, 192, kernel_size=3)
        self.maxpool2 = nn.MaxPool2d(3, stride=2)
        self.Mixed_5b = InceptionA(192, 32)
        self.Mixed_5c = InceptionA(256, 64)
        self.Mixed_5d = InceptionA(288, 64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, 128)
        self.Mixed_6c = InceptionC(768, 160)
        self.Mixed_6d = InceptionC(768, 160)
        self.Mixed_6e = InceptionC(768, 192)
        self.AuxLogits = InceptionAux(768, num_classes) if aux_logits else None
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280)
        self.Mixed_7c = InceptionE(2048)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        for m in (self.Conv2d_1a_3x3, self.Conv2d_2a_3x3, self.Conv2d_2b_3x3, self.maxpool1,
                  self.Conv2d_3b_1x1, self.Conv2d_4a_3x3, self.maxpool2, self.Mixed_5b,
                  self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c,
                  self.Mixed_6d, self.Mixed_6e):  # fmt: skip
            x = m(x)
        aux = self.AuxLogits(x) if self.AuxLogits is not None and self.training else None
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        return (x, aux) if aux is not None else x  # type: ignore[return-value]


@register(
    "inception_v3",
    "googlenet",
    "Inception v3: factorised 7x7/3x3 convolutions, 299x299 input (aux head not run in eval)",
    (3, 299, 299),
    "Szegedy et al. 2016 (CVPR); torchvision.models.inception_v3",
    torchvision="inception_v3",
)
def inception_v3(num_classes: int = 1000, aux_logits: bool = True) -> nn.Module:
    return Inception3(num_classes, aux_logits)
