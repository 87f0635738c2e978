#!/usr/bin/env python3
"""Independent check of rendered figures (PIL, not outlierscope code): for each PNG prints
"<path> <width> <height> <inked fraction> <magenta fraction>", where inked = not near-white and
magenta = near (255, 0, 255), the highlight colour of outlier tokens and columns."""
import sys

from PIL import Image

for path in sys.argv[1:]:
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        w, h = rgb.size
        # Sample a grid of at most ~250k pixels: enough for shares, fast for large figures.
        step = max(1, int((w * h / 250000) ** 0.5))
        inked = magenta = total = 0
        px = rgb.load()
        for y in range(0, h, step):
            for x in range(0, w, step):
                r, g, b = px[x, y]
                total += 1
                if r < 235 or g < 235 or b < 235:
                    inked += 1
                if r > 200 and g < 80 and b > 200:
                    magenta += 1
        print(f"{path} {w} {h} {inked / total:.6f} {magenta / total:.6f}")
