"""Documents: every PDF and image the platform draws.

Contracts, change documents, evidence reports, seals, QR codes and page previews share one page template and one
set of fonts. This package is the one adapter for reportlab, Pillow, pypdfium2 and qrcode: the domains hand it
data and get bytes back.
"""
