"""Build the outputs of a content file into out/ (``build``), all or nothing.

``pipeline`` runs the stages; ``inputs`` reads what they need (faces, photos,
compositions); ``stage`` renders, finishes and preflights one output into
temporary files (named and cleaned up by ``outputs``); ``commit`` moves them all
into out/ or none; ``pool`` shares the outputs among forked processes.
"""
from brochure.pipeline.inputs import load_faces, output_names, source_date
from brochure.pipeline.outputs import (HOST_TAG, KeptReport, Output, build_tag, is_stale, remove_own_temps,
                                    remove_stale_temps, temp_file)
from brochure.pipeline.pipeline import build
from brochure.pipeline.pool import close_residents, jobs_for
from brochure.runtime.session import Environment, Session

__all__ = ["Environment", "HOST_TAG", "KeptReport", "Output", "Session", "build", "build_tag", "close_residents", "is_stale",
           "jobs_for", "load_faces", "output_names", "remove_own_temps", "remove_stale_temps", "source_date",
           "temp_file"]
