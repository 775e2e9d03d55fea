#!/usr/bin/env python3
"""Draws the web app's install icons (the favicon's indigo square with a white "A") as PNGs, without any image library:

    python3 tools/make_icons.py src/Astralytiq.Web/wwwroot/icons
"""
import math
import struct
import sys
import zlib

def png(path, size, maskable):
    indigo, white = (0x39, 0x49, 0xAB), (255, 255, 255)
    s = size / 32.0
    inset = 0.1 if maskable else 0.0  # a maskable icon keeps its mark inside the safe circle
    def to_icon(x, y):
        # icon pixel -> favicon coordinates (0..32), shrunk towards the centre for maskable icons
        k = 1 / (1 - 2 * inset)
        return ((x / s - 16) * k + 16, (y / s - 16) * k + 16)
    def near_segment(px, py, ax, ay, bx, by, width):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - ax - t * dx, py - ay - t * dy) <= width / 2
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            fx, fy = to_icon(x + 0.5, y + 0.5)
            corner = 6 if not maskable else 0
            inside = True
            if corner:
                cx, cy = min(max(x + 0.5, corner * s), size - corner * s), min(max(y + 0.5, corner * s), size - corner * s)
                inside = math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= corner * s
            stroke = any(near_segment(fx, fy, *seg, 3) for seg in [(8, 24, 16, 7), (16, 7, 24, 24), (11.5, 17, 20.5, 17)])
            colour = white if stroke else indigo
            row += bytes(colour) + bytes([255 if inside else 0])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))

out = sys.argv[1] if len(sys.argv) > 1 else "."
png(f"{out}/icon-192.png", 192, False)
png(f"{out}/icon-512.png", 512, False)
png(f"{out}/icon-maskable-512.png", 512, True)
