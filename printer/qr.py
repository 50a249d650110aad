"""The QR code of a ticket, shared by both backends.

The printer's own QR (GS ( k) and this image agree on the symbol: model 2, error correction
level M, the smallest version that holds the data, ``module_dots`` dots per module. The image is
what the preview shows and what a printer without native QR receives as a raster image.
"""

from __future__ import annotations

from typing import Final

import qrcode
import qrcode.constants
from PIL import Image

QR_BORDER_MODULES: Final = 2
"""White modules around the image QR; with the blank lines around it the quiet zone is ≥ 4."""


def qr_module_count(data: str) -> int:
    """Modules per side of the smallest model 2 QR at level M for ``data``: 17 + 4 × version."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    # best_fit only counts bits; make() would also try all 8 masks (~30 ms on a laptop).
    version = code.best_fit()
    return 17 + 4 * version


def qr_image(data: str, module_dots: int, width_dots: int) -> Image.Image:
    """A 1-bit image ``width_dots`` wide with the QR of ``data`` centred.

    Each module is ``module_dots`` × ``module_dots`` dots; the image is padded with white to the
    full printable width so it is centred on paper without relying on ESC a (justification),
    which not every printer applies to raster images.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=module_dots,
        border=QR_BORDER_MODULES,
    )
    code.add_data(data)
    code.make(fit=True)
    symbol = code.make_image(fill_color="black", back_color="white").get_image().convert("1")
    if symbol.width > width_dots:
        raise ValueError(f"QR of {symbol.width} dots does not fit {width_dots} dots")
    canvas = Image.new("1", (width_dots, symbol.height), 1)
    canvas.paste(symbol, ((width_dots - symbol.width) // 2, 0))
    return canvas
