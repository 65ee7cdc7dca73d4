"""Draws the app icon (a white shield on a blue rounded square) as RGBA PNGs, no dependencies.

Run: python3 assets/icons/make_icon.py src-tauri/icons
"""
import math
import struct
import sys
import zlib


def png(path, size, pixel):
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x / size, y / size)) for x in range(size)) for y in range(size)
    )
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)


def pixel(u, v):
    # Rounded square background.
    r = 0.18
    dx = max(abs(u - 0.5) - (0.5 - r) + 0.02, 0)
    dy = max(abs(v - 0.5) - (0.5 - r) + 0.02, 0)
    if math.hypot(dx, dy) > r:
        return (0, 0, 0, 0)
    # Shield: a flat top, straight sides, and a pointed bottom.
    x, y = u - 0.5, v
    inside = 0.22 <= y <= 0.80 and abs(x) <= 0.24 * (1 if y < 0.55 else (0.80 - y) / 0.25)
    inner = 0.29 <= y <= 0.72 and abs(x) <= 0.16 * (1 if y < 0.55 else (0.72 - y) / 0.17)
    if inside and not inner:
        return (255, 255, 255, 255)
    if inner and abs(x) < 0.035 and 0.33 < y < 0.62:
        return (196, 30, 58, 255)
    return (30, 80, 160, 255)


out = sys.argv[1] if len(sys.argv) > 1 else "."
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    png(f"{out}/{name}", size, pixel)
