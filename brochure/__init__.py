"""brochure: print-ready Chinese brochures and exhibition posters from one YAML file.

Pipeline, one way: content (YAML -> typed model) -> text (CJK shaping, line
breaking) -> layout (geometry, grid, compositions) -> render (ReportLab) ->
press (colour, images, marks, PDF/X, preflight) -> out/.  Fonts serve text and
render.
"""

__version__ = "0.1.0"
