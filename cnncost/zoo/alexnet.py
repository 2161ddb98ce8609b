"""AlexNet: the lecture's one-tower version (227x227) and torchvision's 224 variant."""

from __future__ import annotations

from collections import OrderedDict

from torch import nn

from . import register


@register(
    "alexnet",
    "alexnet",
    "AlexNet as in the lecture's table: one tower, 96-256-384-384-256 convs, input 227",
    (3, 227, 227),
    "Krizhevsky, Sutskever, Hinton 2012 (NIPS), as tabled in the lecture",
)
def alexnet(num_classes: int = 1000, dropout: float = 0.5) -> nn.Module:
    return nn.Sequential(
        OrderedDict(
            [
                ("conv1", nn.Conv2d(3, 96, 11, stride=4, padding=0)),
                ("relu1", nn.ReLU(inplace=True)),
                ("maxpool1", nn.MaxPool2d(3, 2)),
                ("conv2", nn.Conv2d(96, 256, 5, padding=2)),
                ("relu2", nn.ReLU(inplace=True)),
                ("maxpool2", nn.MaxPool2d(3, 2)),
                ("conv3", nn.Conv2d(256, 384, 3, padding=1)),
                ("relu3", nn.ReLU(inplace=True)),
                ("conv4", nn.Conv2d(384, 384, 3, padding=1)),
                ("relu4", nn.ReLU(inplace=True)),
                ("conv5", nn.Conv2d(384, 256, 3, padding=1)),
                ("relu5", nn.ReLU(inplace=True)),
                ("maxpool5", nn.MaxPool2d(3, 2)),
                ("flatten", nn.Flatten()),
                ("fc6", nn.Linear(256 * 6 * 6, 4096)),
                ("relu6", nn.ReLU(inplace=True)),
                ("drop6", nn.Dropout(dropout)),
                ("fc7", nn.Linear(4096, 4096)),
                ("relu7", nn.ReLU(inplace=True)),
                ("drop7", nn.Dropout(dropout)),
                ("fc8", nn.Linear(4096, num_classes)),
            ]
        )
    )


class AlexNetTV(nn.Module):
    """torchvision's AlexNet: 64-192-384-256-256 convs and a 6x6 adaptive pool (input 224)."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):  # noqa: ANN001, ANN201
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


@register(
    "alexnet_torchvision",
    "alexnet",
    "AlexNet as torchvision ships it (one tower, 64-192-384-256-256), input 224",
    (3, 224, 224),
    "Krizhevsky 2014, 'One weird trick' (arXiv:1404.5997); torchvision.models.alexnet",
    torchvision="alexnet",
)
def alexnet_torchvision(num_classes: int = 1000, dropout: float = 0.5) -> nn.Module:
    return AlexNetTV(num_classes, dropout)
