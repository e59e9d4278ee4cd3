"""Colour difference as a reader sees it: CIEDE2000, and colour-vision deficiency simulated with
Machado, Oliveira and Fernandes (2009).

Test support only (the app never needs it): tests/test_palette.py checks the app's status colours
with it, and tests/e2e can check colours read off the page. CIEDE2000 follows Sharma, Wu and
Dalal, "The CIEDE2000 color-difference formula: implementation notes, supplementary test data,
and mathematical observations", Color Research & Application 30(1), 2005 (its Table 1 pairs are in
tests/test_palette.py). Machado's matrices (severity 1.0: protanopia, deuteranopia, tritanopia)
act on linear sRGB, as in the paper and in colorspacious.
"""

import math

MACHADO_2009 = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protan": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deutan": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritan": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
VISIONS = tuple(MACHADO_2009)
# sRGB (D65) to XYZ, and the D65 white, for CIELAB.
SRGB_TO_XYZ = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
WHITE_D65 = (0.95047, 1.0, 1.08883)

Lab = tuple[float, float, float]


def hex_rgb(colour: str) -> tuple[float, float, float]:
    """`#2f6db5` -> sRGB components in 0..1."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"{colour!r} is not a #rrggbb colour")
    return tuple(int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def to_linear(channel: float) -> float:
    """One sRGB channel (0..1) to linear light."""
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def from_linear(value: float) -> float:
    """Linear light back to an sRGB channel, clipped to 0..1."""
    value = min(max(value, 0.0), 1.0)
    return value * 12.92 if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055


def multiply(matrix: tuple, vector: tuple) -> tuple[float, float, float]:
    """A 3x3 matrix times a 3-vector."""
    return tuple(sum(m * v for m, v in zip(row, vector, strict=True)) for row in matrix)  # type: ignore[return-value]


def simulate(colour: str, vision: str) -> tuple[float, float, float]:
    """The sRGB colour (0..1) a reader with `vision` sees for `colour` (Machado, severity 1)."""
    linear = tuple(to_linear(c) for c in hex_rgb(colour))
    seen = multiply(MACHADO_2009[vision], linear)
    return tuple(from_linear(c) for c in seen)  # type: ignore[return-value]


def rgb_lab(rgb: tuple[float, float, float]) -> Lab:
    """sRGB (0..1) to CIELAB (D65)."""
    xyz = multiply(SRGB_TO_XYZ, tuple(to_linear(c) for c in rgb))

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, WHITE_D65, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """The CIEDE2000 colour difference (kL = kC = kH = 1), as Sharma et al. (2005) write it."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl = l2 - l1
    dc = c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    elif h2p - h1p > 180:
        dh = h2p - h1p - 360
    else:
        dh = h2p - h1p + 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean = (l1 + l2) / 2
    cp_mean = (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_mean = (h1p + h2p + 360) / 2
    else:
        h_mean = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    d_theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dh_big / s_h) ** 2 + r_t * (dc / s_c) * (dh_big / s_h)
    )


def seen_difference(first: str, second: str, vision: str) -> float:
    """ΔE2000 between two #rrggbb colours as a reader with `vision` sees them."""
    return ciede2000(rgb_lab(simulate(first, vision)), rgb_lab(simulate(second, vision)))
