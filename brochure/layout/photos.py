"""Photos in the brochure: frames sized in whole grid lines, never cropping away more than a third.

A photo block is the picture, a hair of air and its ▲caption with the credit,
exactly ``lines`` grid lines tall, so the text beneath it stays on the grid.
The frame may be taller or flatter than the photo itself, but only so far
that at least two thirds of the photo's height and width survive the crop
(the photo's ``focus`` says which part is kept).
"""
from __future__ import annotations

import math

from brochure.content.model import Photo
from brochure.layout.blocks import Image, Spacer, Stack

#: Air between a photo and its caption, in points.
CAPTION_GAP = 3.0


class PhotoFrames:
    """Photo geometry and blocks for a composer with ``L``, ``s`` (styles), ``para``, ``load_photo`` and ``trial``."""

    def shape(self, photo: Photo) -> float:
        """The photo's own width / height, as seen; the frame aspect content.yaml gives when unknown."""
        if photo.pixels and photo.pixels[1]:
            return photo.pixels[0] / photo.pixels[1]
        return photo.aspect

    def caption_block(self, photo: Photo, width: float):
        return self.para(f"▲{photo.caption} {photo.credit}", self.s.caption)

    def caption_height(self, photo: Photo, width: float) -> float:
        """The caption's height at ``width``: set once per photo and width (the layout search asks often)."""
        key = (photo.id, round(width, 3))
        if key not in self._caption_heights:
            self._caption_heights[key] = self.caption_block(photo, width).wrap(width, 1e6)[1]
        return self._caption_heights[key]

    def photo_lines(self, photo: Photo, width: float) -> tuple[int, int, int]:
        """(fewest, wished, most) grid lines the photo block may take at ``width``.

        Fewest and most are where the crop reaches a third of the photo; wished is
        the frame aspect content.yaml asks for, within those bounds.
        """
        fixed = CAPTION_GAP + self.caption_height(photo, width)
        shape = self.shape(photo)
        if photo.fit == "contain":            # letterboxed, never cropped: any frame near its shape
            lo, hi = width / shape * 0.8, width / shape * 1.25
        else:
            keep = self.rules.keep
            lo, hi = width / (shape / keep), width / (shape * keep)
        wished = min(max(width / photo.aspect, lo), hi)
        fewest = math.ceil((lo + fixed) / self.L - 1e-6)
        most = max(fewest, math.floor((hi + fixed) / self.L + 1e-6))
        return fewest, min(max(round((wished + fixed) / self.L), fewest), most), most

    def crop(self, photo: Photo, width: float, lines: int) -> float:
        """The fraction of the photo's height or width a frame of ``lines`` crops away."""
        if photo.fit == "contain":
            return 0.0
        h = self.image_height(photo, width, lines)
        frame, shape = width / max(h, 1e-6), self.shape(photo)
        return 1 - min(frame / shape, shape / frame)

    def shortfall(self, photo: Photo, width: float, lines: int) -> float:
        """How far the photo's pixels fall short of the press's minimum resolution in this frame (0: none)."""
        if not photo.pixels:
            return 0.0
        h = self.image_height(photo, width, lines)
        wide = width / max(h, 1e-6) >= self.shape(photo)
        ppi = photo.pixels[0] / (width / 72) if wide else photo.pixels[1] / (h / 72)
        return max(0.0, 1 - ppi / self.settings.press.min_ppi)

    def image_height(self, photo: Photo, width: float, lines: int) -> float:
        return lines * self.L - CAPTION_GAP - self.caption_height(photo, width)

    def photo_block(self, photo: Photo, width: float, lines: int) -> Stack:
        """The photo at ``width``, ``lines`` tall with its caption; prepared (and warned about) once per size.

        While candidate layouts are tried (``trial``), the picture is an empty frame of
        the same size: no photo is converted for a layout that is not kept.
        """
        key = (photo.id, round(width, 3), lines)
        if key not in self._photo_blocks:
            h_img = self.image_height(photo, width, lines)
            if self.trial:
                picture = Spacer(width, h_img)
            else:
                prepared = self.load_photo(photo, width, h_img)
                self.warnings.extend(prepared.warnings)
                picture = Image(prepared, width, h_img)
            block = Stack(width, [picture, Spacer(width, CAPTION_GAP), self.caption_block(photo, width)],
                          leading=self.L)
            block.wrap(width, 1e6)            # placed as it is: its parts are measured now
            self._photo_blocks[key] = block
        return self._photo_blocks[key]
